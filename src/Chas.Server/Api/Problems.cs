using Chas.Contracts;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

/// <summary>RFC 9457 problem documents for the answers the API gives most.</summary>
internal static class Problems
{
    public static IResult Validation(ValidationErrors errors) =>
        Results.ValidationProblem(errors.ToDictionary(), detail: errors.ToString(), title: "The request is invalid.");

    public static IResult Field(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: $"{field}: {message}", title: "The request is invalid.");

    public static IResult NotFound(string kind, string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: $"no such {kind} '{name}'");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict.", detail: detail);

    public static IResult Status(int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail);

    public static IResult BadGateway(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The node could not be reached.", detail: detail);
}
