namespace CleanClip.Data.Pipeline;

/// <summary>A cache folder is incomplete (its build never finished), damaged, or of another format.</summary>
public sealed class DecodedCacheException(string message, Exception? inner = null) : IOException(message, inner);
