/**
 * GENERATED FILE, DO NOT EDIT. Written by tools/generate-console-api-types.ts from the
 * server's OpenAPI document (GET /api/openapi.json); run `npm run generate:api-types` after
 * changing a route or schema. src/console/api/types.ts names the types the console uses.
 */

export interface paths {
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys that verify access tokens */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/system/public-ips": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Egress addresses a firewall in front of a custom database must allow */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ips: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List admin keys, revoked ones included (never their tokens) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                createdAt: string;
                                id: string;
                                name: string;
                                poolId: string | null;
                                revokedAt: string | null;
                            }[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /** Create a named admin key, optionally limited to one pool (the token is answered once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        poolId?: string;
                    };
                };
            };
            responses: {
                /** @description 201 */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            name: string;
                            poolId: string | null;
                            token: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an admin key: it stops working at once, on every instance */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    keyId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Admin changes, newest first; a pool-scoped key sees its pool only */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                    poolId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                action: string;
                                actor: {
                                    keyId: string;
                                    name: string;
                                };
                                at: string;
                                changes: {
                                    [key: string]: {
                                        from?: unknown;
                                        to?: unknown;
                                    };
                                };
                                poolId: string | null;
                                target: {
                                    id: string;
                                    type: string;
                                };
                            }[];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/custom-db/sandbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How this instance isolates scripts: the OS sandbox in use, or why there is none */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            level: "bwrap" | "unshare" | "none";
                            reason: string;
                            scriptsAllowed: boolean;
                            warning?: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/custom-db/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Script templates for PostgreSQL, MySQL, MongoDB and web services */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                id: string;
                                name: string;
                                scripts: {
                                    [key: string]: string;
                                };
                            }[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List user pools (a pool-scoped key sees its own pool only) */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                createdAt: string;
                                id: string;
                                metadata: {
                                    [key: string]: unknown;
                                };
                                name: string;
                                updatedAt: string;
                            }[];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /** Create a user pool */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        metadata?: {
                            [key: string]: unknown;
                        };
                        name: string;
                    };
                };
            };
            responses: {
                /** @description 201 */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            metadata: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user pool */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            metadata: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a user pool and its local users */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Rename a user pool or replace its metadata */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        metadata?: {
                            [key: string]: unknown;
                        };
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            createdAt: string;
                            id: string;
                            metadata: {
                                [key: string]: unknown;
                            };
                            name: string;
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/pools/{poolId}/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List applications */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                clientId: string;
                                createdAt: string;
                                id: string;
                                idTokenSigningAlg: "ES256" | "RS256";
                                name: string;
                                postLogoutRedirectUris: string[];
                                redirectUris: string[];
                                type: "web" | "spa" | "native" | "m2m";
                                updatedAt: string;
                            }[];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /** Register an application (the secret is answered once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        idTokenSigningAlg?: "ES256" | "RS256";
                        name: string;
                        postLogoutRedirectUris?: string[];
                        redirectUris: string[];
                        type: "web" | "spa" | "native" | "m2m";
                    };
                };
            };
            responses: {
                /** @description 201 */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clientId: string;
                            clientSecret?: string;
                            createdAt: string;
                            id: string;
                            idTokenSigningAlg: "ES256" | "RS256";
                            name: string;
                            postLogoutRedirectUris: string[];
                            redirectUris: string[];
                            type: "web" | "spa" | "native" | "m2m";
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/applications/{appId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an application */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    appId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clientId: string;
                            createdAt: string;
                            id: string;
                            idTokenSigningAlg: "ES256" | "RS256";
                            name: string;
                            postLogoutRedirectUris: string[];
                            redirectUris: string[];
                            type: "web" | "spa" | "native" | "m2m";
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an application; its tokens stop working */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    appId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Rename an application or change its URIs */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    appId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        idTokenSigningAlg?: "ES256" | "RS256";
                        name?: string;
                        postLogoutRedirectUris?: string[];
                        redirectUris?: string[];
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clientId: string;
                            createdAt: string;
                            id: string;
                            idTokenSigningAlg: "ES256" | "RS256";
                            name: string;
                            postLogoutRedirectUris: string[];
                            redirectUris: string[];
                            type: "web" | "spa" | "native" | "m2m";
                            updatedAt: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/pools/{poolId}/applications/{appId}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the secret of a web or m2m application (answered once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    appId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            clientSecret: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/forgot-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a password reset link (202 whether or not the account exists) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        account?: string;
                        email?: string;
                        password: string;
                        phone?: string;
                        username?: string;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accessToken: string;
                            expiresIn: number;
                            /** @constant */
                            tokenType: "Bearer";
                            user: components["schemas"]["User"];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The logged-in user */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign up */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        address?: string | null;
                        birthdate?: string | null;
                        blocked?: boolean;
                        city?: string | null;
                        company?: string | null;
                        country?: string | null;
                        email?: string | null;
                        emailVerified?: boolean;
                        familyName?: string | null;
                        formatted?: string | null;
                        gender?: string | null;
                        givenName?: string | null;
                        locale?: string | null;
                        locality?: string | null;
                        middleName?: string | null;
                        name?: string | null;
                        nickname?: string | null;
                        password: string;
                        phone?: string | null;
                        phoneVerified?: boolean;
                        photo?: string | null;
                        postalCode?: string | null;
                        preferredUsername?: string | null;
                        profile?: string | null;
                        province?: string | null;
                        region?: string | null;
                        streetAddress?: string | null;
                        username?: string | null;
                        website?: string | null;
                        zoneinfo?: string | null;
                    };
                };
            };
            responses: {
                /** @description 201 */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            user: components["schemas"]["User"];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/reset-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password with the token of a reset link */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/auth/verify-email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify an email address with the token of a verification link */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The pool's custom database connection, secrets masked */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allowedHosts: string[];
                            breakerCooldownMs: number;
                            breakerThreshold: number;
                            connection: {
                                database?: string;
                                host?: string;
                                password?: string;
                                port?: number;
                                type: string;
                                uri?: string;
                                username?: string;
                            } | null;
                            dialect: "gatehouse" | "auth0";
                            enabled: boolean;
                            env: {
                                [key: string]: string;
                            };
                            maxConcurrency: number;
                            mode: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                            scripts: {
                                change_email?: string | null;
                                change_password?: string | null;
                                create?: string | null;
                                createUser: string | null;
                                delete?: string | null;
                                deleteUser: string | null;
                                exportUsers: string | null;
                                get_user?: string | null;
                                getUser: string | null;
                                listUsers: string | null;
                                login: string | null;
                                searchUser: string | null;
                                updateUser: string | null;
                                validatePassword: string | null;
                                verify?: string | null;
                            };
                            timeoutMs: number;
                            warnings?: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        /** Save the connection as its newest version; omitted fields keep their values, the mask keeps a stored secret. With If-Match, only over the ETag it names (else 412) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        allowedHosts?: string[];
                        breakerCooldownMs?: number;
                        breakerThreshold?: number;
                        connection?: {
                            database?: string;
                            host?: string;
                            password?: string;
                            port?: number;
                            type: "uri" | "programmatic";
                            uri?: string;
                            username?: string;
                        } | null;
                        dialect?: "gatehouse" | "auth0";
                        enabled?: boolean;
                        env?: {
                            [key: string]: string;
                        };
                        maxConcurrency?: number;
                        mode?: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                        note?: string | null;
                        scripts?: {
                            change_email?: string | null;
                            change_password?: string | null;
                            create?: string | null;
                            createUser?: string | null;
                            delete?: string | null;
                            deleteUser?: string | null;
                            exportUsers?: string | null;
                            get_user?: string | null;
                            getUser?: string | null;
                            listUsers?: string | null;
                            login?: string | null;
                            searchUser?: string | null;
                            updateUser?: string | null;
                            validatePassword?: string | null;
                            verify?: string | null;
                        };
                        timeoutMs?: number;
                        warnings?: string[];
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allowedHosts: string[];
                            breakerCooldownMs: number;
                            breakerThreshold: number;
                            connection: {
                                database?: string;
                                host?: string;
                                password?: string;
                                port?: number;
                                type: string;
                                uri?: string;
                                username?: string;
                            } | null;
                            dialect: "gatehouse" | "auth0";
                            enabled: boolean;
                            env: {
                                [key: string]: string;
                            };
                            maxConcurrency: number;
                            mode: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                            scripts: {
                                change_email?: string | null;
                                change_password?: string | null;
                                create?: string | null;
                                createUser: string | null;
                                delete?: string | null;
                                deleteUser: string | null;
                                exportUsers: string | null;
                                get_user?: string | null;
                                getUser: string | null;
                                listUsers: string | null;
                                login: string | null;
                                searchUser: string | null;
                                updateUser: string | null;
                                validatePassword: string | null;
                                verify?: string | null;
                            };
                            timeoutMs: number;
                            warnings?: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/debug": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a saved script with given arguments and show what it did */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        args: unknown[];
                        script: "login" | "getUser" | "searchUser" | "createUser" | "updateUser" | "deleteUser" | "listUsers" | "validatePassword" | "exportUsers" | "get_user" | "create" | "verify" | "change_password" | "delete" | "change_email";
                    };
                };
            };
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The connection's circuit breaker and calls in flight, on the instance that answers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            circuit: "closed" | "open" | "half-open";
                            consecutiveFailures: number;
                            inFlight: number;
                            openedAt: string | null;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/import-auth0": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Save an Auth0 database connection as Auth0's export writes it: its scripts run unchanged (dialect auth0) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: unknown;
                        options?: unknown;
                        strategy?: unknown;
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allowedHosts: string[];
                            breakerCooldownMs: number;
                            breakerThreshold: number;
                            connection: {
                                database?: string;
                                host?: string;
                                password?: string;
                                port?: number;
                                type: string;
                                uri?: string;
                                username?: string;
                            } | null;
                            dialect: "gatehouse" | "auth0";
                            enabled: boolean;
                            env: {
                                [key: string]: string;
                            };
                            maxConcurrency: number;
                            mode: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                            scripts: {
                                change_email?: string | null;
                                change_password?: string | null;
                                create?: string | null;
                                createUser: string | null;
                                delete?: string | null;
                                deleteUser: string | null;
                                exportUsers: string | null;
                                get_user?: string | null;
                                getUser: string | null;
                                listUsers: string | null;
                                login: string | null;
                                searchUser: string | null;
                                updateUser: string | null;
                                validatePassword: string | null;
                                verify?: string | null;
                            };
                            timeoutMs: number;
                            warnings?: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/import-rest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import the rest: a job that creates every user of the old database not migrated yet (exportUsers), with their password hashes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 202 */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent script runs, newest first */
        get: {
            parameters: {
                query: {
                    limit: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                at: string;
                                durationMs: number;
                                message: string;
                                outcome: string;
                                script: string;
                            }[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/migration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Lazy migration progress */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeJob: {
                                created: number;
                                /** @description the first 1000 errors; `failed` counts them all */
                                errors: {
                                    externalId?: string;
                                    line?: number;
                                    message: string;
                                }[];
                                failed: number;
                                finishedAt: string | null;
                                id: string;
                                kind: "import" | "import-rest";
                                processed: number;
                                skipped: number;
                                startedAt: string;
                                status: "running" | "done" | "failed" | "cancelled";
                                total?: number;
                                updated: number;
                            } | null;
                            /** @description users with source "imported" */
                            importedUsers: number;
                            lastJob: {
                                created: number;
                                /** @description the first 1000 errors; `failed` counts them all */
                                errors: {
                                    externalId?: string;
                                    line?: number;
                                    message: string;
                                }[];
                                failed: number;
                                finishedAt: string | null;
                                id: string;
                                kind: "import" | "import-rest";
                                processed: number;
                                skipped: number;
                                startedAt: string;
                                status: "running" | "done" | "failed" | "cancelled";
                                total?: number;
                                updated: number;
                            } | null;
                            lastMigratedAt: string | null;
                            legacyTotal: number | null;
                            migratedUsers: number;
                            remainingUsers: number | null;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Saved versions of the connection, newest first */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                note: string | null;
                                savedAt: string;
                                savedBy: {
                                    keyId: string;
                                    name: string;
                                };
                                version: number;
                            }[];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One saved version of the connection, secrets masked */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allowedHosts: string[];
                            breakerCooldownMs: number;
                            breakerThreshold: number;
                            connection: {
                                database?: string;
                                host?: string;
                                password?: string;
                                port?: number;
                                type: string;
                                uri?: string;
                                username?: string;
                            } | null;
                            dialect: "gatehouse" | "auth0";
                            enabled: boolean;
                            env: {
                                [key: string]: string;
                            };
                            maxConcurrency: number;
                            mode: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                            scripts: {
                                change_email?: string | null;
                                change_password?: string | null;
                                create?: string | null;
                                createUser: string | null;
                                delete?: string | null;
                                deleteUser: string | null;
                                exportUsers: string | null;
                                get_user?: string | null;
                                getUser: string | null;
                                listUsers: string | null;
                                login: string | null;
                                searchUser: string | null;
                                updateUser: string | null;
                                validatePassword: string | null;
                                verify?: string | null;
                            };
                            timeoutMs: number;
                            warnings?: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/custom-db/versions/{version}/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Save a version again, secrets included, as the newest version (If-Match as for PUT) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note?: string | null;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            allowedHosts: string[];
                            breakerCooldownMs: number;
                            breakerThreshold: number;
                            connection: {
                                database?: string;
                                host?: string;
                                password?: string;
                                port?: number;
                                type: string;
                                uri?: string;
                                username?: string;
                            } | null;
                            dialect: "gatehouse" | "auth0";
                            enabled: boolean;
                            env: {
                                [key: string]: string;
                            };
                            maxConcurrency: number;
                            mode: "LAZY_MIGRATION" | "CUSTOM_USER_STORE";
                            scripts: {
                                change_email?: string | null;
                                change_password?: string | null;
                                create?: string | null;
                                createUser: string | null;
                                delete?: string | null;
                                deleteUser: string | null;
                                exportUsers: string | null;
                                get_user?: string | null;
                                getUser: string | null;
                                listUsers: string | null;
                                login: string | null;
                                searchUser: string | null;
                                updateUser: string | null;
                                validatePassword: string | null;
                                verify?: string | null;
                            };
                            timeoutMs: number;
                            warnings?: string[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/email-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The pool's email settings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            verifyEmailOnRegistration: boolean;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        /** Save the pool's email settings */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        verifyEmailOnRegistration: boolean;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            verifyEmailOnRegistration: boolean;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the pool's jobs, newest first */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                created: number;
                                /** @description the first 1000 errors; `failed` counts them all */
                                errors: {
                                    externalId?: string;
                                    line?: number;
                                    message: string;
                                }[];
                                failed: number;
                                finishedAt: string | null;
                                id: string;
                                kind: "import" | "import-rest";
                                processed: number;
                                skipped: number;
                                startedAt: string;
                                status: "running" | "done" | "failed" | "cancelled";
                                total?: number;
                                updated: number;
                            }[];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job and its progress */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            created: number;
                            /** @description the first 1000 errors; `failed` counts them all */
                            errors: {
                                externalId?: string;
                                line?: number;
                                message: string;
                            }[];
                            failed: number;
                            finishedAt: string | null;
                            id: string;
                            kind: "import" | "import-rest";
                            processed: number;
                            skipped: number;
                            startedAt: string;
                            status: "running" | "done" | "failed" | "cancelled";
                            total?: number;
                            updated: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/jobs/{jobId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a running job; a finished job is answered as it is */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            created: number;
                            /** @description the first 1000 errors; `failed` counts them all */
                            errors: {
                                externalId?: string;
                                line?: number;
                                message: string;
                            }[];
                            failed: number;
                            finishedAt: string | null;
                            id: string;
                            kind: "import" | "import-rest";
                            processed: number;
                            skipped: number;
                            startedAt: string;
                            status: "running" | "done" | "failed" | "cancelled";
                            total?: number;
                            updated: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Development mail of the pool (no SMTP server configured), newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: {
                                at: string;
                                subject: string;
                                text: string;
                                to: string;
                            }[];
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/signing-keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the pool's OpenID signing keys: the published next key starts signing, a new next key is published */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Per-minute logins, script latency and migration of a pool (this instance's, in memory) */
        get: {
            parameters: {
                query: {
                    window: "15m" | "1h" | "6h" | "24h";
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            bucketSeconds: number;
                            migratedUsers: number;
                            minutes: {
                                /**
                                 * Format: date-time
                                 * @description start of the minute
                                 */
                                at: string;
                                imported: number;
                                latencyMs: {
                                    p50: number | null;
                                    p99: number | null;
                                };
                                logins: {
                                    blocked: number;
                                    conflict: number;
                                    error: number;
                                    not_implemented: number;
                                    success: number;
                                    throttled: number;
                                    timeout: number;
                                    unavailable: number;
                                    wrong_password: number;
                                };
                                migrated: number;
                                scriptCalls: number;
                            }[];
                            /** @constant */
                            scope: "instance";
                            window: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users */
        get: {
            parameters: {
                query: {
                    limit: number;
                    page: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: components["schemas"]["User"][];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        /** Create a user */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        address?: string | null;
                        birthdate?: string | null;
                        blocked?: boolean;
                        city?: string | null;
                        company?: string | null;
                        country?: string | null;
                        email?: string | null;
                        emailVerified?: boolean;
                        familyName?: string | null;
                        formatted?: string | null;
                        gender?: string | null;
                        givenName?: string | null;
                        locale?: string | null;
                        locality?: string | null;
                        middleName?: string | null;
                        name?: string | null;
                        nickname?: string | null;
                        password?: string;
                        phone?: string | null;
                        phoneVerified?: boolean;
                        photo?: string | null;
                        postalCode?: string | null;
                        preferredUsername?: string | null;
                        profile?: string | null;
                        province?: string | null;
                        region?: string | null;
                        streetAddress?: string | null;
                        username?: string | null;
                        website?: string | null;
                        zoneinfo?: string | null;
                    };
                };
            };
            responses: {
                /** @description 201 */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a user */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Update a user; a password field sets a new password */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        address?: string | null;
                        birthdate?: string | null;
                        blocked?: boolean;
                        city?: string | null;
                        company?: string | null;
                        country?: string | null;
                        email?: string | null;
                        emailVerified?: boolean;
                        familyName?: string | null;
                        formatted?: string | null;
                        gender?: string | null;
                        givenName?: string | null;
                        locale?: string | null;
                        locality?: string | null;
                        middleName?: string | null;
                        name?: string | null;
                        nickname?: string | null;
                        password?: string;
                        phone?: string | null;
                        phoneVerified?: boolean;
                        photo?: string | null;
                        postalCode?: string | null;
                        preferredUsername?: string | null;
                        profile?: string | null;
                        province?: string | null;
                        region?: string | null;
                        streetAddress?: string | null;
                        username?: string | null;
                        website?: string | null;
                        zoneinfo?: string | null;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/{userId}/send-verification-email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail the user a link that verifies their email address */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/{userId}/verify-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check a user's password */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                    };
                };
            };
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            valid: boolean;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/find": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Find one user by email, username or phone */
        get: {
            parameters: {
                query?: {
                    email?: string;
                    phone?: string;
                    username?: string;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Import users: NDJSON (application/x-ndjson) or a JSON array (application/json), streamed; runs as a job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 202 */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pools/{poolId}/users/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search users by email, username, phone or nickname */
        get: {
            parameters: {
                query: {
                    keyword: string;
                    limit: number;
                    page: number;
                };
                header?: never;
                path: {
                    poolId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            list: components["schemas"]["User"][];
                            totalCount: number;
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and store reachability */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description 200 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @constant */
                            status: "ok";
                        };
                    };
                };
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (bearer: GATEHOUSE_METRICS_TOKEN, or the admin token when unset) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/*": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/interaction/{uid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/interaction/{uid}/forgot-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/interaction/{uid}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/interaction/{uid}/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/reset-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/oidc/{poolId}/verify-email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        put?: never;
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Error */
                default: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErrorResponse"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ErrorResponse: {
            error: {
                code: string;
                message: string;
                requestId: string;
            };
        };
        User: {
            address: string | null;
            birthdate: string | null;
            blocked: boolean;
            city: string | null;
            company: string | null;
            country: string | null;
            createdAt: string | null;
            email: string | null;
            emailVerified: boolean;
            externalId: string | null;
            familyName: string | null;
            formatted: string | null;
            gender: string | null;
            givenName: string | null;
            id: string;
            lastIP: string | null;
            lastLogin: string | null;
            locale: string | null;
            locality: string | null;
            loginsCount: number;
            middleName: string | null;
            name: string | null;
            nickname: string | null;
            phone: string | null;
            phoneVerified: boolean;
            photo: string | null;
            postalCode: string | null;
            preferredUsername: string | null;
            profile: string | null;
            province: string | null;
            region: string | null;
            signedUp: string | null;
            source: "local" | "migrated" | "custom-db" | "imported";
            streetAddress: string | null;
            updatedAt: string | null;
            username: string | null;
            userPoolId: string;
            website: string | null;
            zoneinfo: string | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
