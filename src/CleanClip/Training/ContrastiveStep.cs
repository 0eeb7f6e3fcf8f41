using CleanClip.Models;
using CleanClip.Optimization;
using CleanClip.Training.Losses;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>
/// One optimizer step of contrastive training on a batch's tensors: both towers in one forward pass over the pixels
/// and tokens ([originals; augmented views] for the in-modal methods), the method's objective (λ1·CLIP + λ2·in-modal,
/// or PAR's against the frozen initial model), and <see cref="ParameterUpdate"/>. The trainer and the step bench run
/// this same code.
/// </summary>
public sealed class ContrastiveStep
{
    private readonly ClipModel _model;
    private readonly ClipModel? _reference;
    private readonly bool _withAugmentedViews;
    private readonly double? _gradientClipNorm;
    private readonly CleanClipObjective _objective;
    private readonly ParObjective? _par;

    /// <param name="reference">PAR: the frozen copy of the initial model (required for <see cref="TrainingMethod.Par"/>).</param>
    public ContrastiveStep(ClipModel model, TrainingOptions options, ClipModel? reference = null)
    {
        _model = model;
        _withAugmentedViews = options.UsesInModal;
        _gradientClipNorm = options.GradientClipNorm;
        _objective = new CleanClipObjective(options.Method == TrainingMethod.Ssl ? 0 : options.ClipWeight, options.InModalWeight, options.SymmetricInModal);
        if (options.UsesReference)
        {
            _reference = reference ?? throw new ArgumentException("--method Par needs the frozen copy of the initial model");
            _par = new ParObjective(options.ClipWeight, options.ParWeight, options.ParTau);
        }
    }

    /// <param name="diverged">Makes the exception for a non-finite "loss" or "gradient norm", thrown before the weights change.</param>
    public StepTerms Run(Tensor pixels, Tensor tokens, AdamWOptimizer optimizer, double learningRate, Func<string, Exception> diverged)
    {
        using var scope = NewDisposeScope();
        optimizer.SetLearningRate(learningRate);
        var (images, texts) = _model.forward(pixels, tokens);
        Tensor loss, clip;
        double? inModal = null;
        (double, double, double)? parTerms = null;
        if (_par is null)
        {
            var terms = _objective.Compute(images, texts, _model.LogitScale, _withAugmentedViews);
            (loss, clip, inModal) = (terms.Total, terms.Clip, terms.InModal?.item<float>());
        }
        else
        {
            Tensor referenceImages, referenceTexts;
            using (no_grad()) (referenceImages, referenceTexts) = _reference!.forward(pixels, tokens);
            var terms = _par.Compute(images, texts, referenceImages, referenceTexts, _model.LogitScale);
            (loss, clip) = (terms.Total, terms.Clip);
            parTerms = (terms.Perturbation.item<float>(), terms.ImageDistance.item<float>(), terms.TextDistance.item<float>());
        }
        double total = ParameterUpdate.Apply(_model, optimizer, loss, _gradientClipNorm, diverged);
        return new StepTerms(total, learningRate) { Clip = clip.item<float>(), InModal = inModal, Par = parTerms };
    }
}
