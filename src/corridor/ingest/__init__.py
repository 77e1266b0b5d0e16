"""Reading announcements: statements in Ukrainian, Russian or English drafted as proposals.

Text is cut into sentences (:mod:`.text`), corridor chains found in each (:mod:`.chains`),
their names resolved through the gazetteer with pymorphy3 reading inflected forms
(:mod:`.resolve`), windows, means and the announcer attached (:mod:`.windows`,
:mod:`.announce`), and the drafts assembled and written out (:mod:`.drafts`, :mod:`.output`).
"""

from corridor.ingest.drafts import Context, Draft, draft, scenario_context
from corridor.ingest.output import as_json, as_yaml
from corridor.ingest.text import Language, decode_statement

__all__ = ["Context", "Draft", "Language", "as_json", "as_yaml", "decode_statement", "draft",
           "scenario_context"]
