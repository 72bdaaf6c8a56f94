import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { APPLICATION_TYPES, ID_TOKEN_SIGNING_ALGS, type ApplicationType, type IdTokenSigningAlg } from '../../domain/application.js';
import { PageOf, PoolParams } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 128 });
const ApplicationTypeSchema = Type.Union(APPLICATION_TYPES.map((type) => Type.Literal(type))) as TUnion<TLiteral<ApplicationType>[]>;
const SigningAlg = Type.Union(ID_TOKEN_SIGNING_ALGS.map((alg) => Type.Literal(alg))) as TUnion<TLiteral<IdTokenSigningAlg>[]>;
/** The rules a URI must follow beyond being a string are checked by the use case, which names the entry. */
const Uris = Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 20 });

export const ApplicationParams = Type.Object({ poolId: PoolParams.properties.poolId, appId: Type.String({ minLength: 1, maxLength: 64 }) });
export type ApplicationParams = Static<typeof ApplicationParams>;

export const ApplicationInput = Type.Object(
  {
    name: Name,
    type: ApplicationTypeSchema,
    redirectUris: Uris,
    postLogoutRedirectUris: Type.Optional(Uris),
    /** ID tokens are ES256 unless the client asks for RS256 */
    idTokenSigningAlg: Type.Optional(SigningAlg),
  },
  { additionalProperties: false },
);

export const ApplicationPatch = Type.Object(
  {
    name: Type.Optional(Name),
    redirectUris: Type.Optional(Uris),
    postLogoutRedirectUris: Type.Optional(Uris),
    idTokenSigningAlg: Type.Optional(SigningAlg),
  },
  { additionalProperties: false, minProperties: 1 },
);

const applicationFields = {
  id: Type.String(),
  clientId: Type.String(),
  name: Type.String(),
  type: ApplicationTypeSchema,
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  idTokenSigningAlg: SigningAlg,
  createdAt: Type.String(),
  updatedAt: Type.String(),
};

export const ApplicationResponse = Type.Object(applicationFields);
/** The answer to a create: the secret appears here once (web and m2m only). */
export const CreatedApplicationResponse = Type.Object({ ...applicationFields, clientSecret: Type.Optional(Type.String()) });
export const ApplicationPage = PageOf(ApplicationResponse);
export const RotatedSecretResponse = Type.Object({ clientSecret: Type.String() });
