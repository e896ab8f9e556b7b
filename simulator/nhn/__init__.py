"""The NHN Cloud Notification SMS API v3.0 simulator (TOAST-DOCS/SMS api-guide.md, webhook.md).

Paths under /sms/v3.0/appKeys/{appKey}/ (and /sms/v2.4/, which the guide's examples use):
sender/{sms,mms,ad-sms,ad-mms} (send, list, get one), message-results, reservations
(list, get one, cancel), blockservice/recipients (080 opt-outs) and attachfile/binaryUpload.
Control endpoints as the SENS simulator's (/_sim/health, stats, reset, faults, clock), plus
GET|POST /_sim/webhook {"url", "signature"} for MESSAGE_RESULT_UPDATE and UNSUBSCRIBE hooks.
"""
