// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApplicationsPage } from '../../src/console/applications/ApplicationsPage.js';
import { PoolLayout } from '../../src/console/pages/PoolLayout.js';
import { parseRoute, paths } from '../../src/console/router.js';
import type { Application } from '../../src/console/api/types.js';
import { apiError, application, fakeApi, type SentRequest } from './support.js';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const LIST = '/api/v1/pools/p1/applications?page=1&limit=25';
const DISCOVERY = '/oidc/p1/.well-known/openid-configuration';
const ISSUER = 'https://id.example.com/oidc/p1';
const SECRET = 'gh_secret_shown_once_0123456789';
const page = (list: unknown[]) => ({ status: 200, body: { totalCount: list.length, list } });
const discovery = ({ path }: SentRequest) => (path === DISCOVERY ? { status: 200, body: { issuer: ISSUER } } : undefined);

describe('applications page', () => {
  it('lists the applications with type, client id and redirect URIs, and the issuer from discovery', async () => {
    fakeApi((request) => {
      if (request.path === LIST) {
        return page([
          application(),
          application({ id: 'a2', name: 'Mobile', type: 'native', clientId: 'feed', redirectUris: ['com.example.app:/cb', 'http://localhost:4000/cb'] }),
        ]);
      }
      return discovery(request);
    });
    render(<ApplicationsPage poolId="p1" />);
    expect(screen.getByText('Loading applications…')).toBeTruthy();
    const shop = (await screen.findByText('Shop')).closest('tr');
    expect(shop && within(shop).getByText('c0ffee00c0ffee00c0ffee00c0ffee00')).toBeTruthy();
    expect(shop && within(shop).getByText('https://shop.example.com/callback')).toBeTruthy();
    expect(shop && within(shop).getByRole('button', { name: 'Rotate secret of Shop' })).toBeTruthy();
    const mobile = screen.getByText('Mobile').closest('tr');
    expect(mobile && within(mobile).getByText('native')).toBeTruthy();
    expect(mobile && within(mobile).getByText('com.example.app:/cb')).toBeTruthy();
    expect(mobile && within(mobile).getByText('http://localhost:4000/cb')).toBeTruthy();
    // A public client has no secret to rotate.
    expect(mobile && within(mobile).queryByRole('button', { name: /Rotate secret/ })).toBeNull();
    expect(await screen.findByText(ISSUER)).toBeTruthy();
  });

  it('shows the empty state, the API error message, and a computed issuer when discovery fails', async () => {
    fakeApi(({ path }) => (path === LIST ? page([]) : undefined));
    render(<ApplicationsPage poolId="p1" />);
    expect(await screen.findByText(/No applications yet/)).toBeTruthy();
    expect(await screen.findByText(`${location.origin}/oidc/p1`)).toBeTruthy();
    expect(await screen.findByText(/GATEHOUSE_PUBLIC_URL may name another/)).toBeTruthy();
    cleanup();

    // A 200 that is no discovery document (a dev server's HTML page) falls back too.
    fakeApi(({ path }) => (path === LIST ? page([]) : path === DISCOVERY ? { status: 200 } : undefined));
    render(<ApplicationsPage poolId="p1" />);
    expect(await screen.findByText(`${location.origin}/oidc/p1`)).toBeTruthy();
    expect(await screen.findByText(/GATEHOUSE_PUBLIC_URL may name another/)).toBeTruthy();
    cleanup();

    fakeApi((request) => (request.path === LIST ? apiError(404, 'POOL_NOT_FOUND', 'No user pool with id p1') : discovery(request)));
    render(<ApplicationsPage poolId="p1" />);
    await waitFor(() => expect(screen.getAllByRole('alert').some((alert) => alert.textContent?.includes('No user pool with id p1'))).toBe(true));
  });

  it('creates an application, shows the 400 next to the form naming the field, then the secret once', async () => {
    let created = false;
    const api = fakeApi((request) => {
      const { method, path, body } = request;
      if (path === LIST) return page(created ? [application()] : []);
      if (method === 'POST' && path === '/api/v1/pools/p1/applications') {
        const uris = (body as { redirectUris: string[] }).redirectUris;
        if (uris.some((uri) => uri.startsWith('http://shop'))) {
          return apiError(400, 'VALIDATION_ERROR', 'body.redirectUris[1] may use http: only for localhost, 127.0.0.1 or [::1]; use https:');
        }
        created = true;
        return { status: 201, body: { ...application(), clientSecret: SECRET } };
      }
      return discovery(request);
    });
    render(<ApplicationsPage poolId="p1" />);
    await screen.findByText(/No applications yet/);

    fireEvent.click(screen.getByRole('button', { name: 'Create application' }));
    const form = screen.getByRole('dialog', { name: 'Create application' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: '  Shop ' } });
    fireEvent.change(within(form).getByLabelText('Type'), { target: { value: 'web' } });
    fireEvent.change(within(form).getByLabelText('Redirect URIs'), {
      target: { value: 'https://shop.example.com/callback\n\nhttp://shop.example.com/callback\n' },
    });
    fireEvent.change(within(form).getByLabelText('Post-logout redirect URIs'), { target: { value: ' https://shop.example.com/ ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create application' }));
    const alert = await within(form).findByRole('alert');
    expect(alert.textContent).toContain('body.redirectUris[1] may use http: only for localhost');
    expect(alert.textContent).toContain('(Redirect URIs, URI 2)');
    expect(within(form).getByLabelText('Redirect URIs').getAttribute('aria-invalid')).toBe('true');
    expect(api.sent.find((request) => request.method === 'POST')?.body).toEqual({
      name: 'Shop',
      type: 'web',
      redirectUris: ['https://shop.example.com/callback', 'http://shop.example.com/callback'],
      postLogoutRedirectUris: ['https://shop.example.com/'],
    });

    fireEvent.change(within(form).getByLabelText('Redirect URIs'), { target: { value: 'https://shop.example.com/callback' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create application' }));
    const shown = await screen.findByRole('dialog', { name: 'Application created' });
    expect((within(shown).getByLabelText('Client secret') as HTMLInputElement).value).toBe(SECRET);
    expect(within(shown).getByLabelText('Client secret').hasAttribute('readonly')).toBe(true);
    expect(within(shown).getByText(/you will not see it again/)).toBeTruthy();
    expect((within(shown).getByLabelText('Client ID') as HTMLInputElement).value).toBe('c0ffee00c0ffee00c0ffee00c0ffee00');
    await waitFor(() => expect((within(shown).getByLabelText('Issuer') as HTMLInputElement).value).toBe(ISSUER));
    expect(await screen.findByRole('cell', { name: 'Shop' })).toBeTruthy();

    // Once: closed, the secret is nowhere on the page.
    fireEvent.click(within(shown).getByRole('button', { name: 'I have saved the secret' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('creates a single-page app without a secret, and an m2m app without redirect URIs', async () => {
    const api = fakeApi((request) => {
      if (request.path === LIST) return page([]);
      if (request.method === 'POST' && request.path === '/api/v1/pools/p1/applications') {
        const body = request.body as { type: 'spa' | 'm2m'; name: string };
        return { status: 201, body: body.type === 'm2m' ? { ...application({ type: 'm2m', name: body.name, redirectUris: [] }), clientSecret: SECRET } : application({ type: 'spa', name: body.name }) };
      }
      return discovery(request);
    });
    render(<ApplicationsPage poolId="p1" />);
    await screen.findByText(/No applications yet/);

    fireEvent.click(screen.getByRole('button', { name: 'Create application' }));
    let form = screen.getByRole('dialog', { name: 'Create application' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Dashboard' } });
    fireEvent.change(within(form).getByLabelText('Type'), { target: { value: 'spa' } });
    fireEvent.change(within(form).getByLabelText('Redirect URIs'), { target: { value: 'https://dash.example.com/cb' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create application' }));
    let shown = await screen.findByRole('dialog', { name: 'Application created' });
    expect(within(shown).queryByLabelText('Client secret')).toBeNull();
    fireEvent.click(within(shown).getByRole('button', { name: 'Done' }));

    fireEvent.click(screen.getByRole('button', { name: 'Create application' }));
    form = screen.getByRole('dialog', { name: 'Create application' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Billing job' } });
    // URIs typed before choosing m2m are not sent: a machine client has none.
    fireEvent.change(within(form).getByLabelText('Redirect URIs'), { target: { value: 'https://billing.example.com/cb' } });
    fireEvent.change(within(form).getByLabelText('Type'), { target: { value: 'm2m' } });
    expect(within(form).queryByLabelText('Redirect URIs')).toBeNull();
    fireEvent.click(within(form).getByRole('button', { name: 'Create application' }));
    shown = await screen.findByRole('dialog', { name: 'Application created' });
    expect((within(shown).getByLabelText('Client secret') as HTMLInputElement).value).toBe(SECRET);
    expect(api.sent.filter((request) => request.method === 'POST').map((request) => request.body)).toEqual([
      { name: 'Dashboard', type: 'spa', redirectUris: ['https://dash.example.com/cb'], postLogoutRedirectUris: [] },
      { name: 'Billing job', type: 'm2m', redirectUris: [], postLogoutRedirectUris: [] },
    ]);
  });

  it('edits only what changed', async () => {
    const api = fakeApi((request) => {
      if (request.path === LIST) return page([application()]);
      if (request.method === 'PATCH' && request.path === '/api/v1/pools/p1/applications/a1') {
        return { status: 200, body: application(request.body as Partial<Application>) };
      }
      return discovery(request);
    });
    render(<ApplicationsPage poolId="p1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit Shop' }));
    let form = screen.getByRole('dialog', { name: 'Edit application' });
    expect((within(form).getByLabelText('Type') as HTMLSelectElement).disabled).toBe(true);
    fireEvent.change(within(form).getByLabelText('Redirect URIs'), { target: { value: 'https://shop.example.com/callback\nhttps://shop.example.com/cb2' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save application' }));
    expect(await screen.findByText('Saved Shop.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Edit Shop' }));
    form = screen.getByRole('dialog', { name: 'Edit application' });
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'Shop 2' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save application' }));
    expect(await screen.findByText('Saved Shop 2.')).toBeTruthy();
    expect(api.sent.filter((request) => request.method === 'PATCH').map((request) => request.body)).toEqual([
      { redirectUris: ['https://shop.example.com/callback', 'https://shop.example.com/cb2'] },
      { name: 'Shop 2' },
    ]);
  });

  it('rotates the secret only after confirming and shows the new one once', async () => {
    const api = fakeApi((request) => {
      if (request.path === LIST) return page([application()]);
      if (request.method === 'POST' && request.path === '/api/v1/pools/p1/applications/a1/rotate-secret') return { status: 200, body: { clientSecret: SECRET } };
      return discovery(request);
    });
    const confirm = vi.fn(() => false);
    render(<ApplicationsPage poolId="p1" confirm={confirm} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Rotate secret of Shop' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('The current secret stops working at once'));
    expect(api.sent.some((request) => request.path.endsWith('/rotate-secret'))).toBe(false);

    confirm.mockReturnValue(true);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate secret of Shop' }));
    const shown = await screen.findByRole('dialog', { name: 'New client secret' });
    expect((within(shown).getByLabelText('Client secret') as HTMLInputElement).value).toBe(SECRET);
    expect(within(shown).getByText(/you will not see it again/)).toBeTruthy();
    fireEvent.click(within(shown).getByRole('button', { name: 'I have saved the secret' }));
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('deletes only after confirming, and shows why a delete failed', async () => {
    let deleted = false;
    let refuse = true;
    const api = fakeApi((request) => {
      if (request.path === LIST) return page(deleted ? [] : [application()]);
      if (request.method === 'DELETE' && request.path === '/api/v1/pools/p1/applications/a1') {
        if (refuse) return apiError(503, 'SERVICE_UNAVAILABLE', 'The store is briefly unavailable; retry shortly');
        deleted = true;
        return { status: 204 };
      }
      return discovery(request);
    });
    const confirm = vi.fn(() => false);
    render(<ApplicationsPage poolId="p1" confirm={confirm} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete Shop' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Its tokens stop working'));
    expect(api.sent.some((request) => request.method === 'DELETE')).toBe(false);

    confirm.mockReturnValue(true);
    fireEvent.click(screen.getByRole('button', { name: 'Delete Shop' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not delete Shop: The store is briefly unavailable');

    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Delete Shop' }));
    expect(await screen.findByText('Deleted Shop.')).toBeTruthy();
    expect(await screen.findByText(/No applications yet/)).toBeTruthy();
  });
});

describe('applications navigation', () => {
  it('has a route and a current "Applications" entry in the pool navigation', async () => {
    fakeApi(({ path }) => (path === '/api/v1/pools/p1' ? { status: 200, body: { id: 'p1', name: 'Shop pool' } } : undefined));
    expect(parseRoute('/console/pools/p1/applications')).toEqual({ page: 'applications', poolId: 'p1' });
    render(
      <PoolLayout poolId="p1" current="applications">
        <p>content</p>
      </PoolLayout>,
    );
    const link = within(screen.getByRole('navigation', { name: 'Pool' })).getByRole('link', { name: 'Applications' });
    expect(link.getAttribute('href')).toBe(paths.applications('p1'));
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(await screen.findByRole('heading', { name: 'Shop pool' })).toBeTruthy();
  });
});
