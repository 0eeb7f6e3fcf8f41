namespace CleanClip.Detection;

/// <summary>Which embedding of a pair the detectors score.</summary>
public enum ScanSide
{
    /// <summary>The image embedding (the paper's choice).</summary>
    Image,
    /// <summary>The caption's text embedding.</summary>
    Text,
    /// <summary>Both unit embeddings side by side, scaled by 1/√2 so the pair is a unit vector: squared distances are the mean of the two sides'.</summary>
    Joint,
}
