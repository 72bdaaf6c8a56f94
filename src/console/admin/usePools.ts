import { api } from '../api/client.js';
import type { Pool } from '../api/types.js';
import { useAsync } from '../components/useAsync.js';

/** The pools an admin page offers to choose from and names rows by (the first 100, as the API pages them). */
export function usePools() {
  const pools = useAsync(async () => (await api.listPools(1, 100)).list, []);
  const list: Pool[] = pools.state.data ?? [];
  const nameOf = (poolId: string | null): string => {
    if (poolId === null) return 'All pools';
    return list.find((pool) => pool.id === poolId)?.name ?? poolId;
  };
  return { list, nameOf };
}
