"""axmeter's Dagster code location and command line."""

import warnings

# Dagster marks single-run backfill policies as beta. They are what the partitioned assets
# need, and the warning (raised while the asset modules import) says nothing actionable.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` .* is currently in beta")
