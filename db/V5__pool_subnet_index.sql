-- Pool admission compares a new or changed SpiderIPPool with the pools whose subnet overlaps it (Spiderpool's
-- "no overlapping subnets" and "no overlapping ranges in the same subnet" rules). This index finds those in
-- O(log n + matches) instead of reading every pool: creating the 10,001st pool costs what the first did.
-- Every stored pool passed validation, so its spec.subnet is a canonical CIDR and the cast cannot fail.
CREATE INDEX resources_pool_subnet ON resources USING gist (((body -> 'spec' ->> 'subnet')::cidr) inet_ops)
    WHERE resource = 'spiderippools';

COMMENT ON INDEX resources_pool_subnet IS
  'SpiderIPPools by subnet, for the overlap checks of pool admission (&& on cidr).';
