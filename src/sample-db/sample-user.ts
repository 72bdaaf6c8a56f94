/**
 * One user of the sample database, in the profile's camelCase field names (see
 * docs/sample-schema.md). The seeders map it to each database's own column names.
 */
export interface SampleUser {
  readonly username: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phone: string;
  readonly phoneVerified: boolean;
  readonly nickname: string;
  readonly photo: string;
  readonly name: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly middleName: string | null;
  readonly preferredUsername: string;
  readonly profile: string | null;
  readonly website: string | null;
  readonly gender: 'M' | 'F' | 'U';
  /** `YYYY-MM-DD` */
  readonly birthdate: string;
  readonly zoneinfo: string;
  readonly locale: string;
  readonly address: string;
  readonly formatted: string;
  readonly streetAddress: string;
  readonly locality: string;
  readonly region: string;
  readonly postalCode: string;
  readonly city: string;
  readonly province: string;
  readonly country: string;
  readonly company: string;
  readonly blocked: boolean;
  readonly loginsCount: number;
  /** ISO 8601 UTC timestamps */
  readonly lastLogin: string | null;
  readonly lastIP: string | null;
  readonly signedUp: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** bcrypt (cost 10) of `samplePassword(username)` */
  readonly passwordHash: string;
}

/** Every sample user's password follows one documented pattern. */
export function samplePassword(username: string): string {
  return `${username}-password-1`;
}
