"""The Great Expectations Data Docs site under $AXMETER_HOME/quality/, rendered once per
publish from the validation results the contract checks stored (checks/validation.py)."""

import dagster as dg

from pipelines.resources import AxmeterHome
from pipelines.settings import OWNERS, WAREHOUSE_POOL


@dg.asset(
    key=["quality", "data_docs"],
    # After the release: every raw, staging and mart check of the run has stored its result.
    # The published files' own checks may finish later; their pages come with the next publish
    # (a failed check renders its page at once).
    deps=[dg.AssetKey(["published", "unit_monthly"])],
    description="Great Expectations Data Docs (quality/gx/uncommitted/data_docs/local_site/index.html): "
    "a page per validation result stored since the last rendering, and the index.",
    group_name="publish",
    kinds={"great_expectations", "html"},
    owners=OWNERS,
    # The GX file context is not safe for concurrent writers: with the checks, one at a time.
    pool=WAREHOUSE_POOL,
)
def quality_data_docs(context: dg.AssetExecutionContext, home: AxmeterHome) -> dg.MaterializeResult:
    from pipelines.defs.quality.validation import build_data_docs

    quality_home = home.root / "quality"
    index = build_data_docs(quality_home)
    if index is None:
        context.log.info(f"no validation results under {quality_home} yet: nothing to render")
        return dg.MaterializeResult(metadata={"index": dg.MetadataValue.text("none yet")})
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index))})
