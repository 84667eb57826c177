"""Pure business logic of patient_collections.

Nothing in this package imports Odoo: the models call into it, and the pure
tests in ``tests/pure`` exercise it directly with pytest.
"""
