from flask import request

from trainee import policy
from trainee.api.core import operation, require_user
from trainee.dossiers import operations as ops
from trainee.dossiers.views import pdf_response


@operation("/v1/trainees/<int:person_id>/dossier.pdf", summary="打印成长档案（PDF，登记并留痕）", params=[
    {"name": "variant", "in": "query", "schema": {"type": "string", "enum": ["standard", "pdfa"]},
     "description": "standard（默认）或 pdfa（归档版 PDF/A-3b）"}],
    responses={"200": {"description": "PDF；响应头 X-Dossier-Code 为核验码",
                       "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def trainee_dossier_pdf(person_id: int):
    user = require_user()
    person = policy.get_visible_person(user, person_id)
    variant = ops.parse_variant(request.args.get("variant"))
    return pdf_response(ops.produce(user, person, variant))
