using System.Globalization;

namespace Chas.Bench.Ingress;

/// <summary>
/// The baseline: nginx (Debian's package) as a reverse proxy for the backend, started from a minimal configuration
/// in a temporary directory, in the foreground as a child of this process — never the system's nginx service.
/// The configuration is what a careful operator writes for a keep-alive upstream, and no more.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _dir;

    private NginxProxy(ChildProcess process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Url { get; }
    public TimeSpan CpuTime() => ProcessCpu.OfTree(_process.Id);

    /// <summary>The configuration's gist, for the report.</summary>
    public const string Summary =
        "worker_processes auto, upstream keepalive 64, proxy_http_version 1.1, Connection \"\", X-Forwarded-For/-Proto/-Host, keepalive_requests 100000, access_log off";

    public static async Task<NginxProxy> StartAsync(BenchOptions options, int backendPort, HttpClient http, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("chas-bench-nginx-").FullName;
        var port = PortRanges.FreeTcpPort();
        var config = Path.Combine(dir, "nginx.conf");
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        await File.WriteAllTextAsync(config, Config(port, backendPort), ct);
        ChildProcess process;
        try
        {
            // -e: the error log before the configuration is read (the default, /var/log/nginx, may not be writable).
            // SIGTERM on dispose, so that nginx stops and reaps its workers.
            process = ChildProcess.Start("nginx", options.NginxPath, ["-p", dir + "/", "-c", config, "-e", "stderr", "-g", "daemon off;"], new OutputLog(),
                new ChildProcessOptions { Echo = options.Verbose, StopGrace = TimeSpan.FromSeconds(5) });
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
        var nginx = new NginxProxy(process, dir, port);
        try
        {
            await process.WaitAsync(Loopback.WaitUntilServesBackendAsync(http, nginx.Url, null, ct), "to serve the backend", TimeSpan.FromSeconds(30), ct);
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
        return nginx;
    }

    /// <summary>
    /// keepalive 64 with HTTP/1.1 and an empty Connection header: nginx reuses its connections to the backend, as
    /// YARP does. keepalive_requests 100000 on both sides: nginx's default (1000) would close every client and
    /// upstream connection after 1000 requests, a cost YARP and Kestrel do not impose. X-Forwarded-For, -Proto and
    /// -Host: what a production proxy tells its backends, and what the CHaS ingress (YARP's defaults) sends too, so
    /// both proxies do the same work per request. Temporary files stay here.
    /// </summary>
    private static string Config(int port, int backendPort) => string.Create(CultureInfo.InvariantCulture, $$"""
        worker_processes auto;
        pid nginx.pid;
        error_log stderr warn;

        events {
            worker_connections 4096;
        }

        http {
            access_log off;
            client_body_temp_path tmp/client_body;
            proxy_temp_path tmp/proxy;
            fastcgi_temp_path tmp/fastcgi;
            uwsgi_temp_path tmp/uwsgi;
            scgi_temp_path tmp/scgi;
            keepalive_requests 100000;

            upstream backend {
                server 127.0.0.1:{{backendPort}};
                keepalive 64;
                keepalive_requests 100000;
            }

            server {
                listen 127.0.0.1:{{port}};
                location / {
                    proxy_pass http://backend;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-Host $host;
                }
            }
        }
        """);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; it lives under the temporary directory.
        }
    }
}
