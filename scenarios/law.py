"""National law the dispatcher obeys, as citations quoted wherever a rule encodes it.

The numbers of the plans live in the plan files (``scenarios.rules``); these are the legal
sources of rules that have no number: who may defend, co-defendants, jurisdiction, firms.
"""

#: Legal-aid defence is by a lawyer; grassroots legal-service workers may not defend.
DEFENCE = "《中华人民共和国刑事诉讼法》第35条（法律援助辩护应指派律师）"
#: One defender may not defend two or more co-defendants of the same case.
CODEFENDANTS = "最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释第43条"
#: First instance by the county centre, second instance by the city centre.
JURISDICTION = "级别管辖：一审由县（市、区）法律援助中心、二审由市法律援助中心管辖（安庆2023 §3(3)2）"
#: Lawyers of one firm for co-defendants need the clients' informed consent.
SAME_FIRM = "《律师办理刑事案件规范》（同一律所律师为同案被告人辩护须告知并经同意）"
