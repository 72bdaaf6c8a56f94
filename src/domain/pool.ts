/** A user pool: the unit every user, connection and application belongs to. */
export interface Pool {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
