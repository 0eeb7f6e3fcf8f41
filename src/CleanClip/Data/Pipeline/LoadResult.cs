namespace CleanClip.Data.Pipeline;

/// <summary>
/// What a pipeline load function returns: the loaded item, or a skip marker with a reason (a corrupt image must
/// shrink its batch, not stop training). A plain item converts implicitly, so <c>(i, seed) =&gt; item</c> is a load function.
/// </summary>
public readonly struct LoadResult<TItem>
{
    private readonly TItem? _item;

    /// <summary>Why the item was skipped; null when it loaded.</summary>
    public string? SkipReason { get; }

    public bool IsSkipped => SkipReason is not null;

    public TItem Item => IsSkipped
        ? throw new InvalidOperationException($"the item was skipped: {SkipReason}")
        : _item!;

    private LoadResult(TItem? item, string? skipReason)
    {
        _item = item;
        SkipReason = skipReason;
    }

    public static LoadResult<TItem> Loaded(TItem item) => new(item, null);

    public static LoadResult<TItem> Skip(string reason) => new(default, string.IsNullOrEmpty(reason) ? "skipped" : reason);

    public static implicit operator LoadResult<TItem>(TItem item) => Loaded(item);
}

/// <summary>An item left out of a batch because its load function returned a skip marker.</summary>
public sealed record SkippedItem(int Index, string Reason);
