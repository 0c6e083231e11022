"""Data quality: the data contracts (data_contracts/*.yaml, ODCS v3) compiled into Great
Expectations suites and run as Dagster asset checks, with their history in the warehouse
(quality.check_results) and Data Docs under $AXMETER_HOME/quality/."""
