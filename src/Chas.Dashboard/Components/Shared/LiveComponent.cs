using Chas.Dashboard.Live;
using Microsoft.AspNetCore.Components;

namespace Chas.Dashboard.Components.Shared;

/// <summary>A page that shows the live cluster: starts following it and re-renders on every change.</summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    [Inject] protected LiveCluster Live { get; set; } = null!;
    [Inject] protected TimeProvider Time { get; set; } = null!;

    protected override void OnInitialized()
    {
        Live.Changed += OnLiveChanged;
        Live.EnsureStarted();
    }

    private void OnLiveChanged() => _ = InvokeAsync(StateHasChanged);

    public virtual void Dispose()
    {
        Live.Changed -= OnLiveChanged;
        GC.SuppressFinalize(this);
    }
}
