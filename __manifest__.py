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
    "data": [
        "security/groups.xml",
        "security/ir.model.access.csv",
        "security/patient_account_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/patient_account_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/account_move_demo.xml",
    ],
    "application": True,
    "installable": True,
}
