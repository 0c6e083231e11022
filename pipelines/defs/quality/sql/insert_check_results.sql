-- Append a batch of check results ($rows: an Arrow table registered as check_results_batch).
INSERT INTO quality.check_results BY NAME SELECT * FROM check_results_batch
