-- Every (ancestor, descendant) pair of each month's organisation, a unit being its own
-- descendant: a unit's figures cover its whole subtree, counted on the subtree (never summed
-- from children). UNION (not UNION ALL) stops on a cyclic parent chain instead of recursing.
WITH RECURSIVE pairs(month, ancestor, descendant, depth) AS (
    SELECT month, unit_code, unit_code, 0 FROM staging.org_units_monthly
    UNION
    SELECT pairs.month, pairs.ancestor, child.unit_code, pairs.depth + 1
    FROM pairs
    JOIN staging.org_units_monthly child
      ON child.month = pairs.month AND child.parent_code = pairs.descendant
    WHERE pairs.depth < 20
)
SELECT month, ancestor, descendant, min(depth) AS depth
FROM pairs
GROUP BY month, ancestor, descendant
