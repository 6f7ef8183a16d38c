/**
 * An auth client for tests: answers getRequestHeaders with a fixed bearer token, so the Google
 * client never looks for Application Default Credentials or probes the metadata server.
 */
export interface StaticTokenAuthClient {
  readonly token: string;
  getRequestHeaders(url?: string | URL): Promise<Headers>;
  getAccessToken(): Promise<{ token: string }>;
}

export const staticTokenAuthClient = (token = 'fake-token'): StaticTokenAuthClient => ({
  token,
  getRequestHeaders: async () => new Headers({ authorization: `Bearer ${token}` }),
  getAccessToken: async () => ({ token }),
});
