/** A password as the store keeps it: the hash and the algorithm that made it, so each user's is verified the right way. */
export interface StoredPassword {
  hash: string;
  algorithm: string;
}
