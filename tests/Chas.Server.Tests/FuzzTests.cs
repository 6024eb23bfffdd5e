using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chas.Contracts;
using Xunit.Abstractions;

namespace Chas.Server.Tests;

/// <summary>
/// Thousands of malformed and hostile requests over every write endpoint, as the built-in admin (no
/// rate limit). No 5xx, the server stays healthy, and nothing invalid gets stored.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Requests = 10_000;
    private const int Concurrency = 8;

    private static readonly string[] Fields =
    [
        "name", "namespace", "image", "command", "env", "cpuMillis", "memoryBytes", "ports", "gpus", "gpuIndices", "replicas",
        "role", "password", "user", "uses", "expiresInSeconds", "members", "quota", "approval", "reason", "status", "capacity",
        "address", "agentUrl", "refreshToken", "description", "invite", "labels", "nodeSelector", "strategy", "restartPolicy",
        "maxRestarts", "privileged", "liveness", "readiness", "ingress", "maxSurge", "maxUnavailable", "progressDeadlineSeconds",
        "portRange", "runtime", "node", "uid", "exitCode", "startedAt", "hostname", "reserved", "readOnlyRootFilesystem",
    ];

    private static readonly string[] RouteValues =
    [
        "t1", "d1", "n1", "alice", "default", "..%2F..%2Fetc", "..%2F..%2F..%2Fetc%2Fpasswd", "%00", "a%00b", "%2e%2e", "%E2%80%AEevil",
        "%F0%9F%98%80", "UPPER", "-bad-", "a.b", "%20", "%25", new string('a', 64), new string('b', 3000), "%C0%AF", "%ED%A0%80", "x%0Ay",
    ];

    private static readonly string[] Namespaces = ["default", "team", "alice", "..%2Fetc", "%00", "UPPER", new string('n', 500), "%F0%9F%98%80", ""];

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain", null,
        "application/json; charset=utf-7", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "application/problem+json",
    ];

    private static string Scalar(Random random) => random.Next(24) switch
    {
        0 => "\"x\"",
        1 => "\"\"",
        2 => "1e309",
        3 => "-1",
        4 => "9223372036854775808",
        5 => "9223372036854775807",
        6 => "-9223372036854775809",
        7 => "1.5",
        8 => "true",
        9 => "null",
        10 => "[]",
        11 => "{}",
        12 => new string('[', 200) + new string(']', 200),
        13 => "\"" + new string('z', 100 * 1024) + "\"",
        14 => "\"\\u202Ename\\u200F\"",
        15 => "\"😀🚀\"",
        16 => "\"a\\u0000b\"",
        17 => "\"\\ud800\"",
        18 => "\"\\udfff\\ud800x\"",
        19 => "{\"a\":{\"b\":[1,\"2\",null]}}",
        20 => "[\"a\",1,{},[]]",
        21 => "0",
        22 => "\"viewer\"",
        _ => "-1e308",
    };

    private static string Body(Random random)
    {
        switch (random.Next(14))
        {
            case 0: return "{";
            case 1: return "";
            case 2: return "null";
            case 3: return "[]";
            case 4: return "\"str\"";
            case 5: return new string('[', 5000) + new string(']', 5000);
            case 6: return "{\"name\":";
            case 7: return "{\"name\":\"ok\",}";
            case 8: return "\u0000\u0001\u0002";
            case 9: return "{\"name\":\"x\" \"image\":\"y\"}";
            default:
                var sb = new StringBuilder("{");
                var count = random.Next(1, 6);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append('"').Append(Fields[random.Next(Fields.Length)]).Append("\":").Append(Scalar(random));
                }
                sb.Append('}');
                var text = sb.ToString();
                // Sometimes cut it short.
                return random.Next(6) == 0 ? text[..random.Next(text.Length)] : text;
        }
    }

    [Fact]
    public async Task Hostile_requests_never_cause_a_server_error_nor_store_anything_invalid()
    {
        var seed = Environment.GetEnvironmentVariable("CHAS_FUZZ_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        output.WriteLine($"fuzz seed: {seed} (rerun with CHAS_FUZZ_SEED={seed})");
        await using var host = await AuthTestHost.StartAsync();
        await host.Admin.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "n1", Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:1/",
            Capacity = new ResourceAmounts { CpuMillis = 4000, MemoryBytes = 8L << 30 }, PortRange = new PortRange(20000, 20009),
        });
        await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "t1", Namespace = "default", Image = "busybox" });
        await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "d1", Namespace = "default", Image = "nginx", Replicas = 1 });
        await host.Admin.CreateUserAsync(new CreateUserRequest { Name = "alice", Password = AuthTestHost.Password, Role = Role.User });
        await host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest());

        var writes = AuthorizationMatrixTests.ApiEndpoints(host).Where(e => e.Method is "POST" or "PUT" or "DELETE").ToList();
        Assert.True(writes.Count > 15, $"only {writes.Count} write endpoints");

        // Requests are drawn up front from one seeded generator, so a seed reproduces them whatever the interleaving.
        var random = new Random(seed);
        var plan = Enumerable.Range(0, Requests).Select(i =>
        {
            var (method, pattern, _) = writes[i % writes.Count];
            var path = pattern;
            foreach (var parameter in new[] { "{name}", "{user}", "{id}" })
                path = path.Replace(parameter, RouteValues[random.Next(RouteValues.Length)], StringComparison.Ordinal);
            if (random.Next(3) > 0) path += "?namespace=" + Namespaces[random.Next(Namespaces.Length)];
            if (random.Next(10) == 0) path += (path.Contains('?') ? "&" : "?") + "force=maybe&node=%00";
            var body = method == "DELETE" && random.Next(2) == 0 ? null : Body(random);
            return (Index: i, Method: method, Path: path, Body: body, ContentType: ContentTypes[random.Next(ContentTypes.Length)]);
        }).ToList();

        using var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Secrets.AdminToken);
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var gate = new SemaphoreSlim(Concurrency);
        var started = DateTime.UtcNow;
        await Task.WhenAll(plan.Select(async r =>
        {
            await gate.WaitAsync();
            try
            {
                using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path.TrimStart('/'));
                if (r.Body is not null)
                {
                    request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(r.Body));
                    if (r.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
                }
                using var response = await http.SendAsync(request);
                var code = (int)response.StatusCode;
                statuses.AddOrUpdate(code, 1, (_, n) => n + 1);
                if (code >= 500)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    failures.Enqueue($"#{r.Index} {r.Method} {Short(r.Path)} content-type={r.ContentType ?? "(none)"} body={Short(r.Body)} → {code} {Short(text)}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue($"#{r.Index} {r.Method} {Short(r.Path)} content-type={r.ContentType ?? "(none)"} body={Short(r.Body)} → connection error {ex.Message}");
            }
            finally
            {
                gate.Release();
            }
        }));
        output.WriteLine($"{Requests} requests in {(DateTime.UtcNow - started).TotalSeconds:0.0} s; statuses: " +
            string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} requests failed with a server error:\n" + string.Join("\n", failures.Take(30)));

        var (health, healthBody, hr) = await host.SendAsync(HttpMethod.Get, "healthz", null);
        hr.Dispose();
        Assert.Equal(HttpStatusCode.OK, health);
        Assert.Equal("ok", healthBody.Trim());

        // Nothing invalid was stored: everything lists, deserializes and holds its invariants.
        var problems = new List<string>();
        foreach (var t in (await host.Admin.ListTasksAsync()).Items)
        {
            if (!Validate.IsDns1123Label(t.Name)) problems.Add($"task with invalid name '{Short(t.Name)}'");
            if (!Validate.IsDns1123Label(t.Namespace)) problems.Add($"task {t.Name} in invalid namespace '{Short(t.Namespace)}'");
            if (string.IsNullOrWhiteSpace(t.Image)) problems.Add($"task {t.Name} without an image");
            if (t.CpuMillis < 0 || t.MemoryBytes < 0 || t.Gpus < 0) problems.Add($"task {t.Name} with negative resources");
        }
        foreach (var d in (await host.Admin.ListDeploymentsAsync()).Items)
        {
            if (!Validate.IsDns1123Label(d.Name)) problems.Add($"deployment with invalid name '{Short(d.Name)}'");
            if (!Validate.IsDns1123Label(d.Namespace)) problems.Add($"deployment {d.Name} in invalid namespace '{Short(d.Namespace)}'");
            if (string.IsNullOrWhiteSpace(d.Template.Image)) problems.Add($"deployment {d.Name} without an image");
            if (d.Replicas < 0) problems.Add($"deployment {d.Name} with {d.Replicas} replicas");
        }
        foreach (var n in await host.Admin.ListNamespacesAsync())
        {
            if (!Validate.IsDns1123Label(n.Name)) problems.Add($"namespace with invalid name '{Short(n.Name)}'");
            if (n.Members.Keys.Any(m => !Validate.IsDns1123Label(m))) problems.Add($"namespace {n.Name} with an invalid member name");
            if (n.Quota is { } q && (q.CpuMillis < 0 || q.MemoryBytes < 0 || q.Gpus < 0 || q.Instances < 0)) problems.Add($"namespace {n.Name} with a negative quota");
        }
        foreach (var u in await host.Admin.ListUsersAsync())
        {
            if (!Validate.IsDns1123Label(u.Name)) problems.Add($"user with invalid name '{Short(u.Name)}'");
            if (!Enum.IsDefined(u.Role)) problems.Add($"user {u.Name} with role {(int)u.Role}");
        }
        Assert.True(problems.Count == 0, $"seed {seed}: invalid objects stored:\n" + string.Join("\n", problems));
    }

    private static string Short(string? text) => text is null ? "(none)" : text.Length <= 200 ? text : text[..200] + $"…({text.Length} chars)";
}
