using System.Net.Http.Headers;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;
using Chas.Dashboard.Hosting;

namespace Chas.Dashboard.Session;

/// <summary>
/// Who is signed in to one circuit (one browser tab) and the API client acting for them. A password
/// sign-in keeps the access and refresh tokens and renews the access token a minute before it expires;
/// a token sign-in (the built-in admin token of `chas dev`, or an API token) is used as it is.
/// </summary>
public sealed class DashboardSession(SelfConnection connection, TimeProvider time) : IAsyncDisposable
{
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(1);
    private ChasClient? _client;
    private HttpClient? _http;
    private ITimer? _refreshTimer;
    private SessionSnapshot? _state;

    /// <summary>Raised after a sign-in, a refresh or a sign-out (the layout persists the snapshot then).</summary>
    public event Action? Changed;

    public bool IsSignedIn => _state is not null;
    public string UserName => _state?.User ?? "";
    public Role Role => _state?.Role ?? Role.Viewer;
    public bool IsAdmin => Role >= Role.Admin;
    public bool IsOperator => Role >= Role.Operator;
    /// <summary>The bearer token now in use (the terminal passes it to the exec WebSocket as ?access_token=).</summary>
    public string AccessToken => _state?.AccessToken ?? "";
    public SessionSnapshot? Snapshot => _state;

    /// <summary>The typed API client with the signed-in person's token.</summary>
    public ChasClient Client => _client ?? throw new InvalidOperationException("not signed in");

    /// <summary>A raw client for endpoints the typed client does not cover (events, stats), same base address and token.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("not signed in");

    public async Task SignInWithPasswordAsync(string user, string password, CancellationToken ct = default)
    {
        using var anonymous = new ChasClient(connection.ApiAddress, null, connection.CreateHandler());
        var login = await anonymous.LoginAsync(user, password, ct);
        Apply(SessionSnapshot.From(login));
    }

    public async Task SignInWithTokenAsync(string token, CancellationToken ct = default)
    {
        using var probe = new ChasClient(connection.ApiAddress, token.Trim(), connection.CreateHandler());
        var who = await probe.WhoAmIAsync(ct);
        Apply(new SessionSnapshot { Kind = SessionSnapshot.TokenKind, AccessToken = token.Trim(), User = who.Name, Role = who.Role ?? Role.Viewer });
    }

    /// <summary>Takes back a snapshot the browser kept for this tab (after a reload); false when it no longer works.</summary>
    public async Task<bool> RestoreAsync(string json, CancellationToken ct = default)
    {
        SessionSnapshot? saved;
        try
        {
            saved = JsonSerializer.Deserialize(json, DashboardJson.Default.SessionSnapshot);
        }
        catch (JsonException)
        {
            return false;
        }
        if (saved is null || string.IsNullOrEmpty(saved.AccessToken)) return false;
        try
        {
            if (saved.Kind == SessionSnapshot.PasswordKind && saved.AccessTokenExpiresAt - RefreshAhead <= time.GetUtcNow())
            {
                using var anonymous = new ChasClient(connection.ApiAddress, null, connection.CreateHandler());
                Apply(SessionSnapshot.From(await anonymous.RefreshAsync(saved.RefreshToken ?? "", ct)));
                return true;
            }
            using var probe = new ChasClient(connection.ApiAddress, saved.AccessToken, connection.CreateHandler());
            var who = await probe.WhoAmIAsync(ct);
            Apply(saved with { User = who.Name, Role = who.Role ?? saved.Role });
            return true;
        }
        catch (Exception e) when (e is ChasApiException or HttpRequestException)
        {
            return false;
        }
    }

    public async Task SignOutAsync()
    {
        var state = _state;
        if (state is { Kind: SessionSnapshot.PasswordKind, RefreshToken: { } refresh } && _client is not null)
        {
            try
            {
                await _client.LogoutAsync(refresh);
            }
            catch (Exception e) when (e is ChasApiException or HttpRequestException)
            {
                // Signed out here either way; the session expires on the server by itself.
            }
        }
        Clear();
        Changed?.Invoke();
    }

    private void Apply(SessionSnapshot state)
    {
        Clear();
        _state = state;
        _client = new ChasClient(connection.ApiAddress, state.AccessToken, connection.CreateHandler());
        _http = new HttpClient(connection.CreateHandler()) { BaseAddress = connection.ApiAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", state.AccessToken);
        ScheduleRefresh();
        Changed?.Invoke();
    }

    private void ScheduleRefresh()
    {
        if (_state is not { Kind: SessionSnapshot.PasswordKind } state) return;
        var due = state.AccessTokenExpiresAt - RefreshAhead - time.GetUtcNow();
        _refreshTimer = time.CreateTimer(_ => _ = RefreshAsync(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private async Task RefreshAsync()
    {
        if (_state is not { RefreshToken: { } refresh } || _client is null) return;
        try
        {
            var login = await _client.RefreshAsync(refresh);
            _state = SessionSnapshot.From(login);
            // Watches already open keep running: the server checks a token when a request starts.
            _client.SetToken(login.AccessToken);
            _http!.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.AccessToken);
            _refreshTimer?.Dispose();
            ScheduleRefresh();
        }
        catch (Exception e) when (e is ChasApiException or HttpRequestException)
        {
            Clear(); // the session was revoked or expired: back to the sign-in form
        }
        Changed?.Invoke();
    }

    private void Clear()
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;
        _client?.Dispose();
        _client = null;
        _http?.Dispose();
        _http = null;
        _state = null;
    }

    public ValueTask DisposeAsync()
    {
        Clear();
        return ValueTask.CompletedTask;
    }
}
