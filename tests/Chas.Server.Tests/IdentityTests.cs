using System.Net;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class IdentityTests
{
    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> WhoAmI(AuthTestHost host, string? token) =>
        host.SendAsync(HttpMethod.Get, "api/v1/auth/whoami", token);

    private static async Task<HttpStatusCode> WhoAmIStatus(AuthTestHost host, string? token)
    {
        var (status, _, response) = await WhoAmI(host, token);
        response.Dispose();
        return status;
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    [Fact]
    public async Task Login_with_the_right_password_gives_a_working_jwt_and_a_wrong_one_401()
    {
        await using var host = await AuthTestHost.StartAsync();
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        Assert.Equal("alice", login.User);
        var (status, body, response) = await WhoAmI(host, login.AccessToken);
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var me = JsonSerializer.Deserialize(body, ChasJsonContext.Default.WhoAmI)!;
        Assert.Equal("alice", me.Name);
        Assert.Equal(Role.User, me.Role);
        Assert.Equal("alice", me.Namespace);

        var (wrong, _, r2) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/login", null, Json(new { user = "alice", password = "not-the-password-at-all" }));
        r2.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        var (unknown, _, r3) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/login", null, Json(new { user = "nobody", password = "not-the-password-at-all" }));
        r3.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, unknown);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatus(host, "garbage-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatus(host, null));
    }

    [Fact]
    public async Task Too_many_failed_logins_answer_429_with_Retry_After()
    {
        await using var host = await AuthTestHost.StartAsync(o => o with { SignInAttemptsPerMinute = 3 });
        await host.Admin.CreateUserAsync(new CreateUserRequest { Name = "alice", Password = AuthTestHost.Password, Role = Role.User });
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last?.Dispose();
            var (status, _, response) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/login", null, Json(new { user = "alice", password = "wrong-password-" + i }));
            statuses.Add(status);
            last = response;
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(last!.Headers.RetryAfter?.Delta);
        Assert.True(last.Headers.RetryAfter!.Delta!.Value > TimeSpan.Zero);
        last.Dispose();
        // Even the right password waits now: the guesser learns nothing.
        var (right, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/login", null, Json(new { user = "alice", password = AuthTestHost.Password }));
        r.Dispose();
        Assert.Equal(HttpStatusCode.TooManyRequests, right);
    }

    [Fact]
    public async Task An_expired_jwt_is_refused_and_refresh_rotates_the_refresh_token()
    {
        // Three seconds rather than one: JWT expiry has whole-second granularity and this machine is slow.
        await using var host = await AuthTestHost.StartAsync(o => o with { AccessTokenLifetime = TimeSpan.FromSeconds(3) });
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatus(host, login.AccessToken));
        await Eventually.WaitAsync(() => WhoAmIStatus(host, login.AccessToken), s => s == HttpStatusCode.Unauthorized,
            "the JWT to expire", TimeSpan.FromSeconds(20));

        using var anonymous = host.Client(null);
        var refreshed = await anonymous.RefreshAsync(login.RefreshToken);
        Assert.NotEqual(login.AccessToken, refreshed.AccessToken);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatus(host, refreshed.AccessToken));

        var (again, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/refresh", null, Json(new { refreshToken = login.RefreshToken }));
        r.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, again);
    }

    [Fact]
    public async Task Logout_revokes_the_jwt_and_the_refresh_token()
    {
        await using var host = await AuthTestHost.StartAsync();
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        Assert.Equal(HttpStatusCode.OK, await WhoAmIStatus(host, login.AccessToken));
        using (var alice = host.Client(login.AccessToken)) await alice.LogoutAsync(login.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatus(host, login.AccessToken));
        var (refresh, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/refresh", null, Json(new { refreshToken = login.RefreshToken }));
        r.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, refresh);

        // Logging out without a body ends the session of the JWT used.
        var second = await host.Client(null).LoginAsync("alice", AuthTestHost.Password);
        var (bare, _, r2) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/logout", second.AccessToken);
        r2.Dispose();
        Assert.Equal(HttpStatusCode.NoContent, bare);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatus(host, second.AccessToken));
    }

    [Fact]
    public async Task An_api_token_works_until_revoked()
    {
        await using var host = await AuthTestHost.StartAsync();
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        using var alice = host.Client(login.AccessToken);
        var token = await alice.CreateTokenAsync(new CreateTokenRequest { Description = "ci" });
        Assert.StartsWith("chas_pat_", token.Token, StringComparison.Ordinal);
        var (status, body, r) = await WhoAmI(host, token.Token);
        r.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("alice", JsonSerializer.Deserialize(body, ChasJsonContext.Default.WhoAmI)!.Name);
        Assert.Contains(await alice.ListTokensAsync(), t => t.Id == token.Id && t.Token is null);

        var (deleted, _, r2) = await host.SendAsync(HttpMethod.Delete, $"api/v1/tokens/{token.Id}", login.AccessToken);
        r2.Dispose();
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIStatus(host, token.Token));
    }

    [Fact]
    public async Task A_short_lived_api_token_stops_working()
    {
        await using var host = await AuthTestHost.StartAsync();
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        using var alice = host.Client(login.AccessToken);
        var token = await alice.CreateTokenAsync(new CreateTokenRequest { ExpiresInSeconds = 1 });
        Assert.NotNull(token.ExpiresAt);
        await Eventually.WaitAsync(() => WhoAmIStatus(host, token.Token), s => s == HttpStatusCode.Unauthorized,
            "the API token to expire", TimeSpan.FromSeconds(15));
        Assert.True(DateTimeOffset.UtcNow >= token.ExpiresAt!.Value - TimeSpan.FromMilliseconds(100), "refused before it expired");
    }

    [Fact]
    public async Task An_invitation_with_one_use_lets_one_signup_through()
    {
        await using var host = await AuthTestHost.StartAsync();
        var invitation = await host.Admin.CreateInvitationAsync(new CreateInvitationRequest { Role = Role.Viewer, Uses = 1 });
        Assert.NotNull(invitation.Code);
        using var anonymous = host.Client(null);
        var carol = await anonymous.SignupAsync("carol", AuthTestHost.Password, invitation.Code!);
        Assert.Equal(Role.Viewer, carol.Role);
        Assert.Equal("carol", (await anonymous.LoginAsync("carol", AuthTestHost.Password)).User);

        var (second, body, r) = await host.SendAsync(HttpMethod.Post, "api/v1/auth/signup", null,
            Json(new { name = "dave", password = AuthTestHost.Password, invite = invitation.Code }));
        r.Dispose();
        Assert.True(second is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.Gone, $"second signup: {(int)second} {body}");
        Assert.DoesNotContain(await host.Admin.ListUsersAsync(), u => u.Name == "dave");
    }

    [Fact]
    public async Task Users_cannot_see_other_users_namespaces_and_viewers_cannot_write()
    {
        await using var host = await AuthTestHost.StartAsync();
        var alice = await host.CreateUserAndLoginAsync("alice", Role.User);
        var bob = await host.CreateUserAndLoginAsync("bob", Role.User);
        var vera = await host.CreateUserAndLoginAsync("vera", Role.Viewer);

        using (var client = host.Client(alice.AccessToken))
        {
            var task = await client.CreateTaskAsync(new CreateTaskRequest { Name = "secret", Image = "busybox" });
            Assert.Equal("alice", task.Namespace);
        }
        var (bobSees, _, r) = await host.SendAsync(HttpMethod.Get, "api/v1/tasks/secret?namespace=alice", bob.AccessToken);
        r.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, bobSees);
        var (bobLists, listBody, r2) = await host.SendAsync(HttpMethod.Get, "api/v1/tasks", bob.AccessToken);
        r2.Dispose();
        Assert.Equal(HttpStatusCode.OK, bobLists);
        Assert.DoesNotContain("secret", listBody, StringComparison.Ordinal);
        var (aliceSees, _, r3) = await host.SendAsync(HttpMethod.Get, "api/v1/tasks/secret?namespace=alice", alice.AccessToken);
        r3.Dispose();
        Assert.Equal(HttpStatusCode.OK, aliceSees);

        var (veraWrites, _, r4) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=vera", vera.AccessToken, Json(new { name = "mine", image = "busybox" }));
        r4.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, veraWrites);
        var (veraWritesHome, _, r5) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks", vera.AccessToken, Json(new { name = "mine", image = "busybox" }));
        r5.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, veraWritesHome);
        Assert.DoesNotContain((await host.Admin.ListTasksAsync()).Items, t => t.Name == "mine");
    }

    [Fact]
    public async Task A_granted_user_role_in_a_shared_namespace_lets_alice_create_tasks_there()
    {
        await using var host = await AuthTestHost.StartAsync();
        var alice = await host.CreateUserAndLoginAsync("alice", Role.User);
        await host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest());
        var (before, _, r) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=team", alice.AccessToken, Json(new { name = "work", image = "busybox" }));
        r.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, before);

        await host.Admin.GrantAsync("team", "alice", Role.User);
        var (after, body, r2) = await host.SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=team", alice.AccessToken, Json(new { name = "work", image = "busybox" }));
        r2.Dispose();
        Assert.Equal(HttpStatusCode.Created, after);
        Assert.Equal("team", JsonSerializer.Deserialize(body, ChasJsonContext.Default.TaskResource)!.Namespace);
        // The body may name the namespace too.
        using var client = host.Client(alice.AccessToken);
        var viaBody = await client.CreateTaskAsync(new CreateTaskRequest { Name = "work2", Namespace = "team", Image = "busybox" });
        Assert.Equal("team", viaBody.Namespace);
    }
}
