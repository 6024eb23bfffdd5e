using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Chas.Dashboard.Hosting;

/// <summary>
/// The dashboard's own files (CSS, the terminal module, Blazor's script) served from resources embedded
/// in this assembly: `chas` is a console app without static web assets, and one binary is all it needs.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "ChasDashboardAssets/";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly Dictionary<string, Asset> _files = new(StringComparer.Ordinal);

    private sealed record Asset(byte[] Body, string ContentType, string ETag);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var body = copy.ToArray();
            var path = "/" + name[ResourcePrefix.Length..];
            var type = ContentTypes.TryGetContentType(path, out var t) ? t : "application/octet-stream";
            _files[path] = new Asset(body, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..20] + "\"");
        }
    }

    /// <summary>Whether a file of that path (relative to /ui) exists; for tests and diagnostics.</summary>
    public bool Has(string path) => _files.ContainsKey(path);

    /// <summary>Answers GET/HEAD for a known file; false leaves the request to the rest of the pipeline.</summary>
    public async Task<bool> TryServeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)) return false;
        if (!_files.TryGetValue(request.Path.Value ?? "", out var asset)) return false;
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        // Revalidate every time: the files change with the binary, and a 304 costs one round trip.
        response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        if (HttpMethods.IsGet(request.Method)) await response.Body.WriteAsync(asset.Body, context.RequestAborted);
        return true;
    }
}
