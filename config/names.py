"""Queue and task names: the only contract between producer, beat and workers."""

QUEUE_PLAN = "plan"
QUEUE_POLL = "poll"
# The direct exchange every queue is bound to by its own name (durable, like the queues).
EXCHANGE = "bulksms"


def send_queue(provider: str) -> str:
    """The queue that carries send tasks for one provider."""
    return f"send.{provider}"


TASK_PLAN_CAMPAIGN = "bulksms.plan_campaign"
TASK_SEND_BATCH = "bulksms.send_batch"
TASK_POLL_RESULTS = "bulksms.poll_results"
TASK_POLL_BATCHES = "bulksms.poll_batches"
TASK_RELEASE_DUE_BATCHES = "bulksms.release_due_batches"
TASK_RESEND_DUE = "bulksms.resend_due"
TASK_SYNC_OPT_OUTS = "bulksms.sync_opt_outs"
TASK_CANCEL_CAMPAIGN = "bulksms.cancel_campaign"
TASK_RECONCILE_SENDS = "bulksms.reconcile_sends"
TASK_APPLY_INBOX = "bulksms.apply_inbox"
