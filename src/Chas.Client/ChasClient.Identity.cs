using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Contracts;

namespace Chas.Client;

/// <summary>Who may do what: sign-in, users, API tokens, invitations, namespaces, approvals and the audit log.</summary>
public sealed partial class ChasClient
{
    // ---- sign-in (anonymous except whoami and logout) ----

    /// <summary>A 429 (too many attempts) says in its message when to try again, from Retry-After.</summary>
    public async Task<LoginResponse> LoginAsync(string user, string password, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/login")
        {
            Content = JsonContent.Create(new LoginRequest { User = user, Password = password }, ChasJsonContext.Default.LoginRequest),
        };
        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var problem = await ChasApiException.FromResponseAsync(response, ct);
            var wait = RetryAfter(response);
            var detail = wait is { } w ? $"too many sign-in attempts; try again in {Math.Ceiling(w.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s" : "too many sign-in attempts; try again later";
            throw new ChasApiException(problem.Status, problem.Title, detail, problem.Errors);
        }
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync(ChasJsonContext.Default.LoginResponse, ct))!;
    }

    /// <summary>The refresh token rotates: keep the new one from the answer, the old one no longer works.</summary>
    public Task<LoginResponse> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/refresh", new RefreshRequest { RefreshToken = refreshToken },
            ChasJsonContext.Default.RefreshRequest, ChasJsonContext.Default.LoginResponse, ct);

    /// <summary>Revokes the session the refresh token belongs to.</summary>
    public Task LogoutAsync(string refreshToken, CancellationToken ct = default) =>
        SendNoContentAsync(HttpMethod.Post, "api/v1/auth/logout", new RefreshRequest { RefreshToken = refreshToken }, ChasJsonContext.Default.RefreshRequest, ct);

    /// <summary>Creates an account with an invitation code; the invitation decides the role.</summary>
    public Task<UserView> SignupAsync(string name, string password, string invite, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/signup", new CreateUserRequest { Name = name, Password = password, Invite = invite },
            ChasJsonContext.Default.CreateUserRequest, ChasJsonContext.Default.UserView, ct);

    public Task<WhoAmI> WhoAmIAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/auth/whoami", ChasJsonContext.Default.WhoAmI, ct);

    // ---- users (admin) ----

    public Task<IReadOnlyList<UserView>> ListUsersAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/users", ChasJsonContext.Default.IReadOnlyListUserView, ct);

    public Task<UserView> CreateUserAsync(CreateUserRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users", request, ChasJsonContext.Default.CreateUserRequest, ChasJsonContext.Default.UserView, ct);

    public Task DeleteUserAsync(string name, CancellationToken ct = default) =>
        SendNoContentAsync<object?>(HttpMethod.Delete, $"api/v1/users/{Segment(name)}", null, null, ct);

    public Task<UserView> SetUserRoleAsync(string name, Role role, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/users/{Segment(name)}/role", new SetRoleRequest { Role = role },
            ChasJsonContext.Default.SetRoleRequest, ChasJsonContext.Default.UserView, ct);

    // ---- API tokens (the caller's own) ----

    public Task<IReadOnlyList<ApiTokenView>> ListTokensAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/tokens", ChasJsonContext.Default.IReadOnlyListApiTokenView, ct);

    /// <summary>The answer's <see cref="ApiTokenView.Token"/> is the secret, shown this once.</summary>
    public Task<ApiTokenView> CreateTokenAsync(CreateTokenRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/tokens", request, ChasJsonContext.Default.CreateTokenRequest, ChasJsonContext.Default.ApiTokenView, ct);

    public Task DeleteTokenAsync(string id, CancellationToken ct = default) =>
        SendNoContentAsync<object?>(HttpMethod.Delete, $"api/v1/tokens/{Segment(id)}", null, null, ct);

    // ---- invitations (admin) ----

    public Task<IReadOnlyList<InvitationView>> ListInvitationsAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/invitations", ChasJsonContext.Default.IReadOnlyListInvitationView, ct);

    /// <summary>The answer's <see cref="InvitationView.Code"/> is the code to hand out, shown this once.</summary>
    public Task<InvitationView> CreateInvitationAsync(CreateInvitationRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/invitations", request, ChasJsonContext.Default.CreateInvitationRequest, ChasJsonContext.Default.InvitationView, ct);

    public Task DeleteInvitationAsync(string id, CancellationToken ct = default) =>
        SendNoContentAsync<object?>(HttpMethod.Delete, $"api/v1/invitations/{Segment(id)}", null, null, ct);

    // ---- namespaces ----

    public Task<IReadOnlyList<NamespaceResource>> ListNamespacesAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/namespaces", ChasJsonContext.Default.IReadOnlyListNamespaceResource, ct);

    public Task<NamespaceResource> GetNamespaceAsync(string name, CancellationToken ct = default) =>
        GetAsync(NamespacePath(name), ChasJsonContext.Default.NamespaceResource, ct);

    /// <summary>Creates or updates a shared namespace (admin).</summary>
    public Task<NamespaceResource> ApplyNamespaceAsync(string name, ApplyNamespaceRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, NamespacePath(name), request, ChasJsonContext.Default.ApplyNamespaceRequest, ChasJsonContext.Default.NamespaceResource, ct);

    public Task DeleteNamespaceAsync(string name, CancellationToken ct = default) =>
        SendNoContentAsync<object?>(HttpMethod.Delete, NamespacePath(name), null, null, ct);

    public Task<NamespaceResource> GrantAsync(string ns, string user, Role role, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, NamespacePath(ns, $"/members/{Segment(user)}"), new GrantRequest { Role = role },
            ChasJsonContext.Default.GrantRequest, ChasJsonContext.Default.NamespaceResource, ct);

    public Task<NamespaceResource> RevokeAsync(string ns, string user, CancellationToken ct = default) =>
        SendAsync<object?, NamespaceResource>(HttpMethod.Delete, NamespacePath(ns, $"/members/{Segment(user)}"), null, null,
            ChasJsonContext.Default.NamespaceResource, ct);

    public Task<QuotaUsage> GetNamespaceUsageAsync(string name, CancellationToken ct = default) =>
        GetAsync(NamespacePath(name, "/usage"), ChasJsonContext.Default.QuotaUsage, ct);

    private static string NamespacePath(string name, string suffix = "") => $"api/v1/namespaces/{Segment(name)}{suffix}";

    // ---- approval (operator) ----

    public Task<TaskResource> ApproveTaskAsync(string name, string? ns = null, CancellationToken ct = default) =>
        SendAsync<object?, TaskResource>(HttpMethod.Post, TaskPath(name, ns, "/approve"), null, null, ChasJsonContext.Default.TaskResource, ct);

    public Task<TaskResource> RejectTaskAsync(string name, string? reason, string? ns = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, TaskPath(name, ns, "/reject"), new RejectRequest { Reason = reason },
            ChasJsonContext.Default.RejectRequest, ChasJsonContext.Default.TaskResource, ct);

    public Task<DeploymentResource> ApproveDeploymentAsync(string name, string? ns = null, CancellationToken ct = default) =>
        SendAsync<object?, DeploymentResource>(HttpMethod.Post, DeploymentPath(name, ns, "/approve"), null, null, ChasJsonContext.Default.DeploymentResource, ct);

    public Task<DeploymentResource> RejectDeploymentAsync(string name, string? reason, string? ns = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, DeploymentPath(name, ns, "/reject"), new RejectRequest { Reason = reason },
            ChasJsonContext.Default.RejectRequest, ChasJsonContext.Default.DeploymentResource, ct);

    // ---- audit (admin) ----

    /// <summary>Mutating requests, newest first as the server keeps them; every filter is optional.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string? user = null, DateTimeOffset? since = null, int? limit = null, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (user is not null) query.Add($"user={Uri.EscapeDataString(user)}");
        if (since is { } s) query.Add($"since={Uri.EscapeDataString(s.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}");
        if (limit is { } l) query.Add($"limit={l.ToString(CultureInfo.InvariantCulture)}");
        var path = "api/v1/audit" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
        return GetAsync(path, ChasJsonContext.Default.IReadOnlyListAuditEntry, ct);
    }

    // ---- plumbing ----

    /// <summary>For answers without a body (204).</summary>
    private async Task SendNoContentAsync<TRequest>(HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null) request.Content = JsonContent.Create(body, requestType);
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>The server sends Retry-After in seconds (a date form is not used).</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter?.Delta;
}
