import { ErrorAlert } from '../components/ErrorAlert';

export function SignIn({ error, onSignIn }: { error?: unknown; onSignIn: () => void }) {
  return (
    <main class="container py-5">
      <div class="row justify-content-center">
        <div class="col-md-6 col-lg-5">
          <div class="card shadow-sm">
            <div class="card-body p-4">
              <h1 class="h3 mb-3">MCP Registry Gateway</h1>
              <p class="text-body-secondary">
                The admin console for your MCP servers: register them, review tool changes, read the audit
                trail.
              </p>
              <ErrorAlert error={error} />
              <button type="button" class="btn btn-primary w-100" onClick={onSignIn}>
                Sign in
              </button>
              <p class="small text-body-secondary mt-3 mb-0">
                You sign in with the gateway's own authorization server (Entra ID or, in local mode, the
                development sign-in).
              </p>
            </div>
          </div>
        </div>
      </div>
    </main>
  );
}
