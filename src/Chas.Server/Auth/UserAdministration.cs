using Chas.Contracts;
using Chas.Server.State;
using Chas.Store;

namespace Chas.Server.Auth;

/// <summary>Creating and removing users together with their personal namespace, in one commit.</summary>
public sealed class UserAdministration(IObjectStore store, UserStore users, NamespaceStore namespaces, TimeProvider time)
{
    /// <summary>Names that stand for built-in callers and so cannot be taken by a person.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal) { Caller.BuiltInAdmin, "join", "system", "anonymous", Namespaces.Default };

    public const int MinPasswordLength = 8;

    public static ValidationErrors Validate(string? name, string? password)
    {
        var errors = new ValidationErrors();
        Contracts.Validate.Name(errors, "name", name);
        if (name is not null && Reserved.Contains(name)) errors.Add("name", $"'{name}' is reserved");
        if (string.IsNullOrEmpty(password)) errors.Add("password", "is required");
        else if (password.Length < MinPasswordLength) errors.Add("password", $"must have at least {MinPasswordLength} characters");
        else if (password.Length > 1024) errors.Add("password", "must have at most 1024 characters");
        return errors;
    }

    /// <exception cref="ConflictException">The user, or a namespace of that name, exists.</exception>
    public async Task<UserResource> CreateAsync(string name, string password, Role role, CancellationToken ct, WriteOp? alsoWrite = null)
    {
        if (await namespaces.GetAsync(name, ct) is { } existing) throw new ConflictException(NamespaceStore.KindName, name, 0, existing.ResourceVersion);
        var now = time.GetUtcNow();
        var user = new UserResource { Name = name, Role = role, PasswordHash = PasswordHasher.Hash(password), Namespace = name, CreatedAt = now };
        var personal = new NamespaceResource { Name = name, Owner = name, CreatedAt = now };
        List<WriteOp> writes =
        [
            WriteOp.Create(UserStore.KindName, name, users.Serialize(user)),
            WriteOp.Create(NamespaceStore.KindName, name, namespaces.Serialize(personal)),
        ];
        if (alsoWrite is not null) writes.Add(alsoWrite);
        var revision = await store.CommitAsync(writes, ct);
        return user with { ResourceVersion = revision };
    }

    public static UserView View(UserResource user) => new() { Name = user.Name, Role = user.Role, Namespace = user.Namespace, CreatedAt = user.CreatedAt };
}
