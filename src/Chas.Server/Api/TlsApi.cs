using Chas.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Server.Api;

public static class TlsApi
{
    public const string CaPath = "/api/v1/tls/ca";

    public static IEndpointRouteBuilder MapTlsApi(this IEndpointRouteBuilder app)
    {
        // Anonymous on purpose: a client fetches the CA before it can trust the connection, and
        // checks it against the fingerprint it was given out of band (as k3s's token CA hash).
        app.MapGet(CaPath, (HttpContext context) =>
                context.RequestServices.GetService<ServerTls>()?.CaPem is { } pem
                    ? Results.Text(pem, "application/x-pem-file")
                    : Problems.Status(StatusCodes.Status404NotFound, "this server has no CA of its own: TLS is off, or its certificate came from files without one"))
            .AllowAnonymous()
            .WithName("GetTlsCa")
            .WithSummary("The PEM certificate of the CA that signed the server's certificate.")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-pem-file")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
