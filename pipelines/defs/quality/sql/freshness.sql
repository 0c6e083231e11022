-- Newest value of a contract's freshness element ({source} and {column} are identifiers checked
-- against the contract's snake_case names, not user input).
SELECT max({column})::TIMESTAMPTZ AS newest, count(*) AS row_count FROM {source}
