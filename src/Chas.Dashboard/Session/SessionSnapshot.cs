using System.Text.Json;
using System.Text.Json.Serialization;
using Chas.Contracts;

namespace Chas.Dashboard.Session;

/// <summary>What a tab keeps (in its sessionStorage) to stay signed in across a reload.</summary>
public sealed record SessionSnapshot
{
    public const string PasswordKind = "password";
    public const string TokenKind = "token";

    public string Kind { get; init; } = PasswordKind;
    public string AccessToken { get; init; } = "";
    public DateTimeOffset AccessTokenExpiresAt { get; init; }
    public string? RefreshToken { get; init; }
    public string User { get; init; } = "";
    public Role Role { get; init; } = Role.Viewer;

    public static SessionSnapshot From(LoginResponse login) => new()
    {
        Kind = PasswordKind,
        AccessToken = login.AccessToken,
        AccessTokenExpiresAt = login.AccessTokenExpiresAt,
        RefreshToken = login.RefreshToken,
        User = login.User,
        Role = login.Role,
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SessionSnapshot))]
internal sealed partial class DashboardJson : JsonSerializerContext;
