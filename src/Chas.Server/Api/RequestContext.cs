using Chas.Contracts;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

internal static class RequestContext
{
    /// <summary>The namespace a request addresses: ?namespace=, else "default".</summary>
    public static string NamespaceOf(HttpRequest request) =>
        request.Query.TryGetValue("namespace", out var ns) && !string.IsNullOrEmpty(ns) ? ns.ToString() : Namespaces.Default;
}
