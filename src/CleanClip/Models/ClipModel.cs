using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// CLIP: an image tower and a causal text transformer mapped into one embedding space, with OpenAI's parameter
/// names (<c>visual.*</c>, <c>transformer.resblocks.*</c>, <c>token_embedding.weight</c>, <c>logit_scale</c>, ...).
/// <c>forward(images, tokens)</c> returns L2-normalised (image, text) embeddings, like CleanCLIP's model.
/// </summary>
public sealed class ClipModel : nn.Module<Tensor, Tensor, (Tensor Image, Tensor Text)>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    private readonly nn.Module<Tensor, Tensor> visual;
    private readonly Transformer transformer;
    private readonly Embedding tokenEmbedding;
    // Named as registered, so model.to(device or dtype) rebinds the field to the moved tensor (TorchSharp matches fields by this name).
    [ComponentName(Name = "positional_embedding")] private readonly Parameter positionalEmbedding;
    [ComponentName(Name = "text_projection")] private readonly Parameter textProjection;
    [ComponentName(Name = "logit_scale")] private readonly Parameter logitScale;
    private readonly LayerNorm lnFinal;

    /// <summary>OpenAI's initial temperature for training from scratch, as a log scale: ln(1/0.07).</summary>
    public static readonly double InitialLogitScale = Math.Log(1 / 0.07);

    /// <exception cref="ArgumentException">The config describes no buildable model (<see cref="ClipConfig.Problems"/>).</exception>
    public ClipModel(ClipConfig config) : base(nameof(ClipModel))
    {
        config.EnsureBuildable();
        Config = config;
        visual = config.IsVit
            ? new VisionTransformer(config.ImageResolution, config.VisionPatchSize!.Value, config.VisionWidth,
                config.VisionLayers[0], config.ResolvedVisionHeads, config.EmbedDim, config.Activation)
            : new ModifiedResNet(config.VisionLayers, config.EmbedDim, config.ResolvedVisionHeads,
                config.ImageResolution, config.VisionWidth);
        transformer = new Transformer(config.TextWidth, config.TextLayers, config.ResolvedTextHeads, causal: true, config.Activation);
        tokenEmbedding = nn.Embedding(config.VocabSize, config.TextWidth);
        positionalEmbedding = nn.Parameter(torch.empty(config.ContextLength, config.TextWidth));
        lnFinal = nn.LayerNorm(config.TextWidth);
        textProjection = nn.Parameter(torch.empty(config.TextWidth, config.EmbedDim));
        logitScale = nn.Parameter(torch.tensor((float)InitialLogitScale));
        register_module("visual", visual);
        register_module("transformer", transformer);
        register_module("token_embedding", tokenEmbedding);
        register_parameter("positional_embedding", positionalEmbedding);
        register_module("ln_final", lnFinal);
        register_parameter("text_projection", textProjection);
        register_parameter("logit_scale", logitScale);
        ClipInitialization.Apply(this);
    }

    public ClipConfig Config { get; }
    public nn.Module<Tensor, Tensor> Visual => visual;
    public Transformer TextTransformer => transformer;
    public Embedding TokenEmbedding => tokenEmbedding;
    public Parameter TextPositionalEmbedding => positionalEmbedding;
    public Parameter TextProjection => textProjection;
    /// <summary>Log of the contrastive temperature multiplier; the scale is exp(LogitScale).</summary>
    public Parameter LogitScale => logitScale;

    /// <summary>CLIP keeps the temperature multiplier at most 100 (training clamps <see cref="LogitScale"/> to ln 100).</summary>
    public const double MaxLogitScaleMultiplier = 100;

    /// <summary>The temperature multiplier the model's logits use: exp(<see cref="LogitScale"/>), at most <see cref="MaxLogitScaleMultiplier"/>.</summary>
    public double LogitScaleMultiplier() => Math.Min(MaxLogitScaleMultiplier, Math.Exp(logitScale.item<float>()));

    /// <summary>
    /// Run the text transformer only up to the last end-of-text token in the batch. Exact: under the causal mask no
    /// position attends to later ones, and pooling reads the EOT position, so the cut-off padding never matters.
    /// </summary>
    public bool TrimText { get; set; } = true;

    /// <summary>
    /// What the towers compute in (<see cref="Models.Precision"/>). Features always come out fp32, and the parameters stay
    /// as they are, so switching it needs no conversion of weights or optimizer state.
    /// </summary>
    public Precision Precision { get; set; } = Precision.Fp32;

    // Pixels enter in the parameters' type: fp32, or bf16/fp16 if a caller converted the whole model.
    private ScalarType ParameterType => positionalEmbedding.dtype;

    /// <summary>Unnormalised image features [N, EmbedDim] (what linear probes and supervised finetuning use).</summary>
    public Tensor EncodeImage(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        Tensor computed;
        using (var compute = TowerCompute.ForImageTower(Config, Precision, pixels.device_type))
            computed = visual.forward(pixels.to(compute.Type ?? ParameterType));
        return Features(computed).MoveToOuterDisposeScope();
    }

    /// <summary>Unnormalised text features [N, EmbedDim], pooled at each row's largest token id (EOT).</summary>
    public Tensor EncodeText(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var eot = tokens.argmax(-1);                                                        // [N]
        long needed = eot.max().item<long>() + 1, context = positionalEmbedding.shape[0];
        // A tokenizer with a longer context than the model is fine as long as every caption ends within the model's.
        if (needed > context)
            throw new ArgumentException($"a caption needs {needed} token positions but model {Config.Name} has {context}; tokenize with a context of {context}");
        long length = TrimText ? needed : Math.Min(tokens.shape[1], context);
        Tensor computed;
        using (var compute = TowerCompute.ForTextTower(Precision, tokens.device_type))
        {
            var x = tokenEmbedding.forward(tokens.narrow(1, 0, length)) + positionalEmbedding.narrow(0, 0, length);
            x = x.to(compute.Type ?? x.dtype);
            x = lnFinal.forward(transformer.forward(x));                                         // [N, L, W]
            var pooled = x.gather(1, eot.view(-1, 1, 1).expand(-1, 1, x.shape[2])).squeeze(1);  // [N, W]
            computed = torch.matmul(pooled, textProjection);
        }
        return Features(computed).MoveToOuterDisposeScope();
    }

    // Normalisation, similarities and the loss stay in fp32 whatever the towers computed in (they run outside the scopes).
    private Tensor Features(Tensor computed) =>
        Precision == Precision.Fp32 ? computed : computed.to(ScalarType.Float32);

    public Tensor ImageEmbeddings(Tensor pixels) => Normalize(EncodeImage(pixels));

    public Tensor TextEmbeddings(Tensor tokens) => Normalize(EncodeText(tokens));

    public override (Tensor Image, Tensor Text) forward(Tensor pixels, Tensor tokens) =>
        (ImageEmbeddings(pixels), TextEmbeddings(tokens));

    private static Tensor Normalize(Tensor features)
    {
        using var _ = features;
        return nn.functional.normalize(features, p: 2, dim: -1);
    }
}
