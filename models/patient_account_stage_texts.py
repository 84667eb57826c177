from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationFileReader, get_po_paths

from .practice_texts import reader_texts

MODULE = "patient_collections"
STAGE_MODEL = "patient.account.stage"
# {language: {(xml id name, field): the shipped text}}: the module's own files,
# read once a process (they do not change while it runs)
_SHIPPED = {}


def shipped_stage_texts(lang):
    """The shipped stages' texts in ``lang`` as the module's files give them:
    English from the template (i18n/patient_collections.pot, the data file's
    texts), another language from its translation (i18n/es.po...)."""
    if lang not in _SHIPPED:
        texts = {}
        if lang == "en_US":
            paths = [file_path(f"{MODULE}/i18n/{MODULE}.pot")]
        else:
            paths = list(get_po_paths(MODULE, lang))
        for path in paths:  # the language's own file after its base's, as Odoo loads them
            for row in TranslationFileReader(path, fileformat="po"):
                if (
                    row.get("type") != "model"
                    or row.get("imd_model") != STAGE_MODEL
                    or row.get("module") != MODULE
                ):
                    continue
                text = row["src"] if lang == "en_US" else row["value"]
                if text:
                    texts[row["imd_name"], row["name"].split(",")[1]] = text
        _SHIPPED[lang] = texts
    return _SHIPPED[lang]


def shipped_stage_text(xml_name, field, lang):
    """The shipped text of the stage ``xml_name``'s ``field`` in ``lang`` (its
    English where it has no translation; "" where the stage ships none)."""
    key = (xml_name, field)
    return shipped_stage_texts(lang).get(key) or shipped_stage_texts("en_US").get(key, "")


class PatientAccountStage(models.Model):
    """What readers get of a stage's name and statement message: the practice's
    own text when it changed it in any language (its own translation in the
    reader's language first), the shipped translation when it never did
    (``logic.practice_texts``, the rule of the company's statement texts too).
    The Board's columns, the account's stage bar, run lines and every other
    display of a stage show its display name; statements print
    :meth:`_reader_texts` of the message.  The stage's form keeps each
    language's stored value to edit."""

    _inherit = "patient.account.stage"

    @api.depends("name")
    @api.depends_context("lang")
    def _compute_display_name(self):
        names = self._reader_texts("name")
        for stage in self:
            stage.display_name = names.get(stage.id) or stage.name or ""

    def _reader_texts(self, field):
        """{stage id: the text of ``field`` (name, statement_message) a reader in
        the context's language gets}: one query, whatever the number of stages."""
        ids = [stage_id for stage_id in self.ids if isinstance(stage_id, int)]
        if not ids:
            return {}
        self.browse(ids).flush_recordset([field])
        # each stage's stored texts, and the name of its xml id when the module ships it
        self.env.cr.execute(
            SQL(
                """SELECT stage.id, stage.%s, data.name
                     FROM patient_account_stage stage
                LEFT JOIN ir_model_data data
                       ON data.res_id = stage.id AND data.model = %s AND data.module = %s
                    WHERE stage.id = ANY(%s)""",
                SQL.identifier(field),
                self._name,
                MODULE,
                ids,
            )
        )
        rows = self.env.cr.fetchall()
        shipped_names = {stage_id: xml_name for stage_id, _texts, xml_name in rows if xml_name}

        def shipped_of(stage_id):
            xml_name = shipped_names.get(stage_id)
            if not xml_name:
                return None  # a stage the practice made: all its texts are its own
            return lambda lang: shipped_stage_text(xml_name, field, lang)

        stored = {stage_id: texts for stage_id, texts, _xml_name in rows}
        return reader_texts(self, field, shipped_of, stored=stored)
