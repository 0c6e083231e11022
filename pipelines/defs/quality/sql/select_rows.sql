-- The rows a contract check validates: the whole table, or the run's partitions
-- ({partition_filter} is empty or `WHERE <partition column> BETWEEN $first AND $last`).
SELECT * FROM {source} {partition_filter}
