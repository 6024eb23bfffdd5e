using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chas.Client;
using Chas.Contracts;
using Chas.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Tests;

/// <summary>
/// A real server like <see cref="TestServer"/>, but with the options the identity tests need
/// (token lifetimes, sign-in throttle, rate limit), and helpers to act as users, agents and anonymous callers.
/// </summary>
public sealed class AuthTestHost : IAsyncDisposable
{
    public const string Password = "correct-horse-battery-staple";

    private WebApplication _app = null!;
    public WebApplication App => _app;
    public string DataDir { get; private init; } = Path.Combine(Path.GetTempPath(), "chas-auth-tests-" + Guid.NewGuid().ToString("N"));
    public ServerOptions Options { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;
    public ServerSecrets Secrets { get; private set; } = null!;
    public ChasClient Admin { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="services">Registers services after the server's own (one store shared by two hosts, a fake clock).</param>
    /// <param name="dataDir">A data directory of the test's instead of a new one (deleted at the end too).</param>
    public static async Task<AuthTestHost> StartAsync(Func<ServerOptions, ServerOptions>? tweak = null, Action<IServiceCollection>? services = null,
        string? dataDir = null)
    {
        var host = dataDir is null ? new AuthTestHost() : new AuthTestHost { DataDir = dataDir };
        var options = new ServerOptions
        {
            DataDir = host.DataDir,
            Urls = ["http://127.0.0.1:0"],
            HeartbeatTimeout = TimeSpan.FromMinutes(5),
            PendingTimeout = TimeSpan.FromMinutes(5),
        };
        host.Options = tweak is null ? options : tweak(options);
        host._app = ChasServerApp.Build(host.Options, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            services?.Invoke(b.Services);
        });
        await host._app.StartAsync();
        host.Url = new Uri(host._app.Urls.First() + "/");
        host.Http.BaseAddress = host.Url;
        host.Secrets = ServerSecrets.LoadOrCreate(host.DataDir);
        host.Admin = new ChasClient(host.Url, host.Secrets.AdminToken);
        return host;
    }

    private AuthTestHost() { }

    public ChasClient Client(string? token) => new(Url, token);

    public string NodeCredential(string node) => Chas.Server.Auth.OpaqueTokens.NodeCredential(Secrets.NodeCredentialKey, node);

    /// <summary>Creates a stored user with the role and signs them in.</summary>
    public async Task<LoginResponse> CreateUserAndLoginAsync(string name, Role role)
    {
        await Admin.CreateUserAsync(new CreateUserRequest { Name = name, Password = Password, Role = role });
        using var anonymous = Client(null);
        return await anonymous.LoginAsync(name, Password);
    }

    /// <summary>Sends a raw request; the body, when given, goes as application/json unless another content type is named.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(
        HttpMethod method, string path, string? token, string? json = null, string? contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body, response);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Http.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
