import { Type } from '@sinclair/typebox';
import { Password } from './users.js';

/** Tokens are base64url of 32 bytes; anything up to the limit is accepted and answered INVALID_TOKEN when it is not one. */
const Token = Type.String({ minLength: 1, maxLength: 512 });

export const ForgotPasswordInput = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }) },
  { additionalProperties: false },
);

/** The same password rules as registration. */
export const ResetPasswordInput = Type.Object({ token: Token, password: Password }, { additionalProperties: false });

export const VerifyEmailInput = Type.Object({ token: Token }, { additionalProperties: false });

export const OutboxResponse = Type.Object({
  list: Type.Array(Type.Object({ at: Type.String(), to: Type.String(), subject: Type.String(), text: Type.String() })),
});

export const EmailSettingsBody = Type.Object(
  { verifyEmailOnRegistration: Type.Boolean() },
  { additionalProperties: false },
);
