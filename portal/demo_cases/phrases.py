"""常用语 to try the portal with: the wording a county service hall uses
for correction items, refusals at intake and an agency's opinions and
refusals, for all services and for a few services of their own. Loaded by
``flask setup`` outside production while no phrase exists, so an
administrator's own lists are never touched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.phrases import PhraseText, add_phrase
from portal.models import Phrase, PhraseUse, Service

# (use, service code or None for all services, Chinese, English)
DEMO_PHRASES = [
    (PhraseUse.correction, None, "身份证复印件不清晰，请重新提交清晰的正反面扫描件。",
     "The scan of the ID card is illegible; please upload a clear scan of both sides."),
    (PhraseUse.correction, None, "材料未加盖单位公章，请加盖公章后重新提交。",
     "The document has no official seal of the organisation; please stamp it and upload it again."),
    (PhraseUse.correction, None, "材料缺少申请人签名，请签名后重新提交。",
     "The applicant's signature is missing; please sign and upload the document again."),
    (PhraseUse.correction, None, "所填内容与证件信息不一致，请核对后重新填写。",
     "What was entered does not match the document; please check it and fill it in again."),
    (PhraseUse.correction, None, "材料已超过有效期，请提交有效期内的材料。",
     "The document has expired; please provide one that is still valid."),
    (PhraseUse.correction, "psb-rp-apply", "居住地址应填写到门牌号，请补充完整。",
     "Give the residential address down to the house number."),
    (PhraseUse.correction, "psb-rp-apply", "租赁合同未经登记备案，请提交已备案的租赁合同或房屋租赁登记凭证。",
     "The tenancy agreement is not registered; please provide the registered agreement or the rental registration record."),
    (PhraseUse.correction, "hrss-wage-claim", "请补充提交劳动合同、考勤记录或工资条等能证明劳动关系的材料。",
     "Please add proof of employment such as the labour contract, attendance records or pay slips."),
    (PhraseUse.correction, "hrss-wage-claim", "欠薪金额与工资明细不一致，请核对后重新填写。",
     "The amount owed does not match the pay details; please check it and enter it again."),
    (PhraseUse.correction, "amr-biz-register", "经营范围请按《经营范围规范表述目录》规范填写。",
     "Write the business scope in the standard terms of the business scope catalogue."),
    (PhraseUse.intake_refusal, None, "申请事项不属于本窗口受理范围，请向有权机关申请。",
     "The application is outside what this window accepts; please apply to the competent authority."),
    (PhraseUse.intake_refusal, None, "申请人不具备申请主体资格。",
     "The applicant is not eligible to apply for this service."),
    (PhraseUse.intake_refusal, None, "经补正告知后，申请人逾期未补正材料，视为放弃申请。",
     "The applicant did not provide the missing materials in time after the correction notice; the application is deemed withdrawn."),
    (PhraseUse.intake_refusal, "hrss-wage-claim", "该劳动争议已进入仲裁或诉讼程序，不属于劳动保障监察受理范围。",
     "The labour dispute is already before arbitration or a court, which is outside labour inspection."),
    (PhraseUse.task_opinion, None, "经审查，申请材料齐全，符合法定形式，同意办理。",
     "Reviewed: the materials are complete and in the legal form. Approved."),
    (PhraseUse.task_opinion, None, "经核查，申请人信息真实有效，准予办理。",
     "Checked: the applicant's details are true and valid. Approved."),
    (PhraseUse.task_opinion, "psb-rp-apply", "经核实，申请人在本地居住满半年，有合法稳定就业、住所或就读证明，符合居住证申领条件。",
     "Verified: the applicant has lived here for six months with lawful stable work, housing or study, "
     "and meets the conditions for a residence permit."),
    (PhraseUse.task_opinion, "hrss-wage-claim", "经调查核实，用人单位已足额支付拖欠工资，投诉办结。",
     "Investigated: the employer has paid the wages owed in full; the complaint is closed."),
    (PhraseUse.task_refusal, None, "申请不符合法定条件，依法不予许可。申请人如不服，可依法申请行政复议或提起行政诉讼。",
     "The application does not meet the legal conditions and is refused. The applicant may apply for "
     "administrative reconsideration or bring an administrative lawsuit."),
    (PhraseUse.task_refusal, None, "经核查，申请材料内容与实际情况不符，不予许可。",
     "Checked: the materials do not match the facts. Refused."),
    (PhraseUse.task_refusal, "eme-fireworks", "零售点与周边建筑的安全距离不符合《烟花爆竹零售经营许可实施办法》要求，不予许可。",
     "The retail point is closer to neighbouring buildings than the fireworks retail licensing rules allow. Refused."),
]


def load_demo_phrases(session: Session) -> int:
    """The demo phrases, while there is no phrase yet; how many were added."""
    if session.scalar(select(Phrase.id).limit(1)) is not None:
        return 0
    services = {s.code: s for s in session.scalars(select(Service))}
    added = 0
    for use, code, text_zh, text_en in DEMO_PHRASES:
        if code is not None and code not in services:
            continue
        add_phrase(session, PhraseText(use=use, service=services.get(code) if code else None, text_zh=text_zh, text_en=text_en))
        added += 1
    return added
