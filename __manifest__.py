{
    "name": "Patient Collections",
    "summary": "Collections desk for medical practices: patient accounts, "
    "aging, stages, interactions, payment plans and statements",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "patient_collections developers",
    "website": "https://example.com/patient_collections",
    "depends": ["account", "mail", "contacts"],
    "data": [],
    "demo": [],
    "application": True,
    "installable": True,
}
