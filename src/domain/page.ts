/** One page of a list, as every list endpoint answers it (`?page&limit`, 1-based). */
export interface Page<T> {
  totalCount: number;
  list: T[];
}
