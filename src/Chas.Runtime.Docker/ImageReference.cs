namespace Chas.Runtime.Docker;

/// <summary>Splits image references the way the Engine API's fromImage/tag (and repo/tag) parameters want them.</summary>
internal static class ImageReference
{
    public const string DefaultTag = "latest";

    /// <summary>
    /// "busybox" → ("busybox", "latest"); "localhost:5000/app:1.2" → ("localhost:5000/app", "1.2");
    /// "app@sha256:…" → ("app@sha256:…", null), because a digest already names exactly one image.
    /// </summary>
    public static (string Repository, string? Tag) Split(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.Contains('@'))
        {
            return (reference, null);
        }

        // A colon before the last slash belongs to a registry host:port, not to a tag.
        var lastSlash = reference.LastIndexOf('/');
        var lastColon = reference.LastIndexOf(':');
        return lastColon > lastSlash
            ? (reference[..lastColon], reference[(lastColon + 1)..])
            : (reference, DefaultTag);
    }

    /// <summary>The reference as users should read it in messages: with its tag spelled out.</summary>
    public static string Normalize(string reference)
    {
        var (repository, tag) = Split(reference);
        return tag is null ? repository : $"{repository}:{tag}";
    }
}
