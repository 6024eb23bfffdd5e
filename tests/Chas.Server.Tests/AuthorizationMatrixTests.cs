using System.Net;
using System.Text;
using Chas.Contracts;
using Chas.Server.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Tests;

/// <summary>
/// Every registered API endpoint × every kind of caller, generated from the endpoint list so that a
/// new endpoint cannot escape it. The expected status comes from the endpoint's rule (see <see cref="Expect"/>).
/// </summary>
public sealed class AuthorizationMatrixTests
{
    /// <summary>The only API endpoints anybody may call without a token.</summary>
    private static readonly HashSet<string> AnonymousAllowed = new(StringComparer.Ordinal)
    {
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/signup",
        "GET /api/v1/tls/ca",
    };

    public enum CallerType { Anonymous, Viewer, OtherUser, Agent, Admin }

    private enum Outcome
    {
        /// <summary>Passes the access check: anything but 401/403 (validation 400s, 404s of missing objects, 409s are fine).</summary>
        Allowed,
        /// <summary>Passes the middleware; the handler may still refuse with its own 403 (NodeReport: is this the agent's own object?).</summary>
        AllowedHandlerMay403,
        Unauthorized,
        Forbidden,
        /// <summary>The addressed namespace ("default") is one the caller has no role in: it answers as if absent.</summary>
        NotFound,
    }

    /// <summary>The expectation for a caller on an endpoint, from the endpoint's rule alone (null rule: anonymous endpoint).</summary>
    private static Outcome Expect(AccessRule? rule, CallerType caller)
    {
        // AllowAnonymous: nobody is refused for who they are.
        if (rule is null) return Outcome.Allowed;
        // Every other endpoint needs a token.
        if (caller == CallerType.Anonymous) return Outcome.Unauthorized;
        // The built-in admin passes every rule (the join rule included).
        if (caller == CallerType.Admin) return Outcome.Allowed;
        return rule.Level switch
        {
            // NodeJoin: only the join token (and admins).
            AccessLevel.NodeJoin => Outcome.Forbidden,
            // NodeSelf: the agent of the node named in the route ({name} = n1, the agent's own node); people are refused.
            AccessLevel.NodeSelf => caller == CallerType.Agent ? Outcome.Allowed : Outcome.Forbidden,
            // NodeReport: any agent passes the middleware (the handler checks the object is its own); people are refused.
            AccessLevel.NodeReport => caller == CallerType.Agent ? Outcome.AllowedHandlerMay403 : Outcome.Forbidden,
            // Node credentials may not call any user endpoint (listing with ?node=SELF aside, not used here).
            _ when caller == CallerType.Agent => Outcome.Forbidden,
            // Authenticated / ClusterRead: any signed-in person, viewer included.
            AccessLevel.Authenticated or AccessLevel.ClusterRead => Outcome.Allowed,
            // ClusterOperate needs operator, Admin needs admin: viewer and user are refused.
            AccessLevel.ClusterOperate or AccessLevel.Admin => Outcome.Forbidden,
            // NamespaceRead/Write/Approve/List with ?namespace=default: neither the viewer nor the other
            // namespace's user has any role in "default", so it answers 404 as if it did not exist.
            AccessLevel.NamespaceRead or AccessLevel.NamespaceWrite or AccessLevel.NamespaceApprove or AccessLevel.NamespaceList => Outcome.NotFound,
            _ => throw new InvalidOperationException($"no expectation for rule {rule.Level}: add one"),
        };
    }

    private static bool IsNamespaced(AccessRule? rule) => rule?.Level is AccessLevel.NamespaceRead or AccessLevel.NamespaceWrite
        or AccessLevel.NamespaceApprove or AccessLevel.NamespaceList;

    /// <summary>Route values naming objects that exist (or, for ids, that do not: 404 is fine for allowed callers).</summary>
    private static string Fill(string pattern)
    {
        var name = pattern switch
        {
            _ when pattern.StartsWith("/api/v1/tasks", StringComparison.Ordinal) => "t1",
            _ when pattern.StartsWith("/api/v1/deployments", StringComparison.Ordinal) => "d1",
            _ when pattern.StartsWith("/api/v1/services", StringComparison.Ordinal) => "d1",
            _ when pattern.StartsWith("/api/v1/nodes", StringComparison.Ordinal) => "n1",
            _ when pattern.StartsWith("/api/v1/users", StringComparison.Ordinal) => "alice",
            _ when pattern.StartsWith("/api/v1/namespaces", StringComparison.Ordinal) => "default",
            _ => "x",
        };
        return pattern.Replace("{name}", name, StringComparison.Ordinal).Replace("{user}", "alice", StringComparison.Ordinal)
            .Replace("{id}", "nonexistent", StringComparison.Ordinal);
    }

    internal static List<(string Method, string Pattern, AccessRule? Rule)> ApiEndpoints(AuthTestHost host) =>
        [.. AccessRules.Of((IEndpointRouteBuilder)host.App)
            .Where(e => e.Endpoint.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, e.Endpoint.RoutePattern.RawText!.TrimEnd('/'), e.Rule)))
            .OrderBy(e => e.Item2, StringComparer.Ordinal).ThenBy(e => e.m, StringComparer.Ordinal)];

    [Fact]
    public async Task Every_api_endpoint_declares_a_rule_or_is_an_allowed_anonymous_one()
    {
        await using var host = await AuthTestHost.StartAsync();
        var endpoints = ApiEndpoints(host);
        Assert.True(endpoints.Count > 30, $"only {endpoints.Count} API endpoints found");
        var anonymous = endpoints.Where(e => e.Rule is null).Select(e => $"{e.Method} {e.Pattern}").ToList();
        var unexpected = anonymous.Where(a => !AnonymousAllowed.Contains(a)).ToList();
        Assert.True(unexpected.Count == 0, "API endpoints open to anonymous callers that are not in the allow-list: " + string.Join("; ", unexpected));
        // The allow-list holds no stale entries.
        Assert.Empty(AnonymousAllowed.Except(anonymous));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_its_rule_says()
    {
        await using var host = await AuthTestHost.StartAsync(o => o with { ApiRequestsPerSecond = 0, SignInAttemptsPerMinute = 10_000 });
        // n1 is registered but too small for t1 and d1's instance, so they stay unbound (their logs answer 409, not a proxy error).
        await host.Admin.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "n1", Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:1/",
            Capacity = new ResourceAmounts { CpuMillis = 100, MemoryBytes = 1L << 30 }, PortRange = new PortRange(20000, 20009),
        });
        await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "t1", Namespace = "default", Image = "busybox", CpuMillis = 1000 });
        await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "d1", Namespace = "default", Image = "nginx", CpuMillis = 1000, Replicas = 1 });
        await host.Admin.CreateUserAsync(new CreateUserRequest { Name = "alice", Password = AuthTestHost.Password, Role = Role.User });
        var viewer = await host.CreateUserAndLoginAsync("vera", Role.Viewer);
        var other = await host.CreateUserAndLoginAsync("bob", Role.User);
        var tokens = new Dictionary<CallerType, string?>
        {
            [CallerType.Anonymous] = null,
            [CallerType.Viewer] = viewer.AccessToken,
            [CallerType.OtherUser] = other.AccessToken,
            [CallerType.Agent] = host.NodeCredential("n1"),
            [CallerType.Admin] = host.Secrets.AdminToken,
        };
        var logins = new Dictionary<CallerType, string> { [CallerType.Viewer] = "vera", [CallerType.OtherUser] = "bob" };

        var endpoints = ApiEndpoints(host);
        var failures = new List<string>();
        var checkedCount = 0;
        // Admin last: its deletes must not change what the others see.
        foreach (var caller in Enum.GetValues<CallerType>())
        {
            foreach (var (method, pattern, rule) in endpoints)
            {
                var path = Fill(pattern);
                if (IsNamespaced(rule)) path += "?namespace=default";
                if (pattern == "/api/v1/watch") path += (path.Contains('?') ? "&" : "?") + "kind=bogus";
                var body = method is "POST" or "PUT" ? "{}" : null;
                var (status, text, response) = await host.SendAsync(new HttpMethod(method), path, tokens[caller], body);
                response.Dispose();
                checkedCount++;
                var expected = Expect(rule, caller);
                var code = (int)status;
                var ok = code < 500 && expected switch
                {
                    Outcome.Allowed => code is not (401 or 403),
                    // A handler's 403 names the object; the middleware's would say agents may not call this.
                    Outcome.AllowedHandlerMay403 => code != 401 && !(code == 403 && text.Contains("only node agents may call this", StringComparison.Ordinal)),
                    Outcome.Unauthorized => code == 401,
                    Outcome.Forbidden => code == 403,
                    Outcome.NotFound => code == 404,
                    _ => false,
                };
                if (!ok) failures.Add($"{caller} {method} {path} (rule {rule?.Level.ToString() ?? "anonymous"}): expected {expected}, got {code} {Trim(text)}");
                // Logging out revokes the caller's session: sign in again for the rest of the matrix.
                if (pattern == "/api/v1/auth/logout" && logins.TryGetValue(caller, out var user))
                {
                    using var anonymous = host.Client(null);
                    tokens[caller] = (await anonymous.LoginAsync(user, AuthTestHost.Password)).AccessToken;
                }
            }
        }
        Assert.True(checkedCount >= endpoints.Count * 5);
        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} requests answered against their rule:\n" + string.Join("\n", failures));
    }

    private static string Trim(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
