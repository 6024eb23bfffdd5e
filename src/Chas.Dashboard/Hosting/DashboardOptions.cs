using System.Security.Cryptography.X509Certificates;

namespace Chas.Dashboard.Hosting;

/// <summary>How the dashboard reaches the API of the server it runs in.</summary>
public sealed class DashboardOptions
{
    /// <summary>Where the dashboard is mounted.</summary>
    public const string PathBase = "/ui";

    /// <summary>Where Debian's libjs-xterm puts xterm.css (its xterm.js is a stub); served at /ui/lib/xterm/ when present.</summary>
    public string XtermDirectory { get; set; } = "/usr/share/javascript/xterm";

    /// <summary>
    /// Where Debian's node-xterm puts xterm.js as CommonJS modules (entry lib/public/Terminal.js); its *.js files are
    /// served at /ui/lib/xterm/lib/ when present, and the dashboard's own loader runs them in the page.
    /// </summary>
    public string XtermModulesDirectory { get; set; } = "/usr/share/nodejs/xterm/lib";

    /// <summary>Whether the real xterm.js can be served; the terminal falls back to a plain text screen otherwise.</summary>
    public bool HasXterm => File.Exists(Path.Combine(XtermModulesDirectory, "public", "Terminal.js"));

    /// <summary>
    /// The certificate the server serves with TLS on (null: plain HTTP). The dashboard calls its own
    /// listening address, which the certificate may not name, so it trusts exactly this certificate.
    /// </summary>
    public Func<IServiceProvider, X509Certificate2?>? ServerCertificate { get; set; }

    /// <summary>Overrides the API address (tests, or a server behind a proxy); null: the server's own first listening address.</summary>
    public Uri? ApiAddress { get; set; }
}
