"""Campaign tasks: plan a campaign into batches; publish batches whose send is due."""

from datetime import timedelta

from config.names import TASK_PLAN_CAMPAIGN, TASK_RELEASE_DUE_BATCHES
from worker.services.planning import plan_campaign
from worker.services.release import release_due_batches
from worker.tasks import context
from worker.tasks.app import app
from worker.tasks.publish import publish_batches


@app.task(name=TASK_PLAN_CAMPAIGN)
def plan_campaign_task(campaign_id: int) -> int:
    """Cut the campaign into batches and publish them; safe to run twice."""
    settings = context.settings()
    return plan_campaign(
        context.engine(),
        campaign_id,
        batch_size=settings.sens.limits.batch_size,
        regrace=timedelta(seconds=settings.send.republish_after_seconds),
        publish=publish_batches,
    )


@app.task(name=TASK_RELEASE_DUE_BATCHES)
def release_due_batches_task() -> int:
    """Beat: publish batches whose retry wait ended or whose task was lost."""
    regrace = timedelta(seconds=context.settings().send.republish_after_seconds)
    return release_due_batches(context.engine(), regrace, publish_batches)
