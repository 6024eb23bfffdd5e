using Chas.Contracts;
using Chas.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

internal static class RequestContext
{
    /// <summary>The namespace a request addresses: ?namespace=, else the caller's home namespace ("default" for the built-in admin).</summary>
    public static string NamespaceOf(HttpRequest request) =>
        request.HttpContext.Items.TryGetValue(AccessMiddleware.NamespaceItem, out var checkedNs) && checkedNs is string ns ? ns
        : request.Query.TryGetValue("namespace", out var query) && !string.IsNullOrEmpty(query) ? query.ToString()
        : Caller.From(request.HttpContext.User)?.HomeNamespace ?? Namespaces.Default;

    public static Caller CallerOf(HttpContext context) =>
        Caller.From(context.User) ?? throw new InvalidOperationException("the endpoint runs without an authenticated caller");

    /// <summary>
    /// For listings without ?namespace=: whether objects of <paramref name="ns"/> belong in the answer
    /// (all namespaces for admins, only visible ones for others). With ?namespace=, only that one.
    /// </summary>
    public static bool Lists(HttpRequest request, string ns)
    {
        if (request.Query.ContainsKey("namespace")) return ns == NamespaceOf(request);
        return !request.HttpContext.Items.TryGetValue(AccessMiddleware.VisibleItem, out var visible)
            || visible is not IReadOnlySet<string> set || set.Contains(ns);
    }
}
