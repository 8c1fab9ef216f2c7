/**
 * Segmentation losses for K classes.
 *
 * Every loss takes one-hot targets `yTrue` and softmax probabilities `yPred`, both
 * [batch, height, width, K] float32, and returns a scalar to minimize. Class 0 is background.
 * Call them inside `tf.tidy` (or an optimizer's `minimize`), which frees the intermediates.
 */
import * as tf from "@tensorflow/tfjs";

/** Lower bound of probabilities before a logarithm, so that log(0) never occurs. */
export const PROBABILITY_EPSILON = 1e-7;

export type LossName = "ce" | "weighted_ce" | "dice" | "dice_ce" | "focal" | "tversky" | "focal_tversky";

export const LOSS_NAMES: LossName[] = ["ce", "weighted_ce", "dice", "dice_ce", "focal", "tversky", "focal_tversky"];

/** Options of the overlap losses (Dice, Tversky, focal-Tversky). */
export interface OverlapOptions {
  /**
   * Added to numerator and denominator of each class's ratio (default 1e-5, as nnU-Net's soft
   * Dice). It keeps the ratio defined when a class is absent from target and prediction. The
   * ratio is then 1 only when the prediction is exactly 0, so with per-image sums an absent class
   * still pulls its probabilities towards 0.
   */
  smooth?: number;
  /**
   * Sum TP, FP and FN over the whole batch (true, the default, as nnU-Net's `batch_dice`) or per
   * image (false), in which case the per-image ratios are averaged.
   */
  batch?: boolean;
  /** Include the background class in the class mean (default false, as nnU-Net). */
  includeBackground?: boolean;
}

export interface TverskyOptions extends OverlapOptions {
  /** Weight of false positives (default 0.3, Salehi et al. 2017). */
  alpha?: number;
  /** Weight of false negatives (default 0.7, Salehi et al. 2017). */
  beta?: number;
}

export const LOSS_DEFAULTS = {
  smooth: 1e-5,
  batch: true,
  includeBackground: false,
  focalGamma: 2,
  tverskyAlpha: 0.3,
  tverskyBeta: 0.7,
  focalTverskyGamma: 4 / 3,
};

/** Cross-entropy: mean over pixels of -sum_k y_k log p_k. */
export function crossEntropy(yTrue: tf.Tensor4D, yPred: tf.Tensor4D): tf.Scalar {
  return tf.mean(pixelCrossEntropy(yTrue, yPred)) as tf.Scalar;
}

/**
 * Class-weighted cross-entropy: sum over pixels of w_c CE / sum over pixels of w_c, where c is
 * the pixel's target class (the normalization of PyTorch's `CrossEntropyLoss(weight=...)`).
 *
 * @param classWeights one weight per class, length K.
 */
export function weightedCrossEntropy(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, classWeights: number[]): tf.Scalar {
  checkClassCount(yTrue, classWeights.length, "weightedCrossEntropy: classWeights");
  const pixelWeights = tf.sum(tf.mul(yTrue, tf.tensor1d(classWeights)), -1);
  const weighted = tf.sum(tf.mul(pixelWeights, pixelCrossEntropy(yTrue, yPred)));
  return tf.div(weighted, tf.maximum(tf.sum(pixelWeights), PROBABILITY_EPSILON)) as tf.Scalar;
}

/** Focal loss (Lin et al. 2017): mean over pixels of -sum_k y_k (1 - p_k)^gamma log p_k. */
export function focalLoss(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, gamma = LOSS_DEFAULTS.focalGamma): tf.Scalar {
  const p = clipProbabilities(yPred);
  const modulation = tf.pow(tf.sub(1, p), gamma);
  const perPixel = tf.neg(tf.sum(tf.mul(tf.mul(yTrue, modulation), tf.log(p)), -1));
  return tf.mean(perPixel) as tf.Scalar;
}

/** Soft Dice loss: 1 - mean over classes of (2 TP + s) / (2 TP + FP + FN + s). */
export function softDiceLoss(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, options: OverlapOptions = {}): tf.Scalar {
  // The Tversky index with alpha = beta = 0.5 and smoothing s/2 equals this Dice ratio.
  const smooth = (options.smooth ?? LOSS_DEFAULTS.smooth) / 2;
  return tverskyLoss(yTrue, yPred, { ...options, smooth, alpha: 0.5, beta: 0.5 });
}

/** Dice + cross-entropy with weight 1 each, as nnU-Net's default loss. */
export function diceCrossEntropy(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, options: OverlapOptions = {}): tf.Scalar {
  return tf.add(softDiceLoss(yTrue, yPred, options), crossEntropy(yTrue, yPred)) as tf.Scalar;
}

/**
 * Tversky loss (Salehi et al. 2017): 1 - mean over classes of the Tversky index
 * TI = (TP + s) / (TP + alpha FP + beta FN + s). alpha = beta = 0.5 gives the soft Dice with
 * smoothing 2s.
 */
export function tverskyLoss(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, options: TverskyOptions = {}): tf.Scalar {
  return tf.sub(1, tf.mean(tverskyIndex(yTrue, yPred, options))) as tf.Scalar;
}

/**
 * Focal-Tversky loss (Abraham and Khan 2019): mean over classes of (1 - TI)^(1/gamma), gamma
 * 4/3 by default as in that paper. The paper sums over classes; the mean keeps the scale
 * independent of the class count.
 */
export function focalTverskyLoss(
  yTrue: tf.Tensor4D,
  yPred: tf.Tensor4D,
  options: TverskyOptions & { gamma?: number } = {},
): tf.Scalar {
  const gamma = options.gamma ?? LOSS_DEFAULTS.focalTverskyGamma;
  // The power has an infinite gradient at 0, so 1 - TI is kept at least PROBABILITY_EPSILON.
  const distance = tf.maximum(tf.sub(1, tverskyIndex(yTrue, yPred, options)), PROBABILITY_EPSILON);
  return tf.mean(tf.pow(distance, 1 / gamma)) as tf.Scalar;
}

/**
 * Returns the Tversky index per class: shape [K'] with batch sums, [batch, K'] per image,
 * where K' leaves out the background unless `includeBackground`.
 */
export function tverskyIndex(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, options: TverskyOptions = {}): tf.Tensor {
  const smooth = options.smooth ?? LOSS_DEFAULTS.smooth;
  const alpha = options.alpha ?? LOSS_DEFAULTS.tverskyAlpha;
  const beta = options.beta ?? LOSS_DEFAULTS.tverskyBeta;
  const axes = (options.batch ?? LOSS_DEFAULTS.batch) ? [0, 1, 2] : [1, 2];

  const truePositives = tf.sum(tf.mul(yTrue, yPred), axes);
  const falsePositives = tf.sub(tf.sum(yPred, axes), truePositives);
  const falseNegatives = tf.sub(tf.sum(yTrue, axes), truePositives);

  const numerator = tf.add(truePositives, smooth);
  const weightedErrors = tf.add(tf.mul(falsePositives, alpha), tf.mul(falseNegatives, beta));
  const denominator = tf.add(tf.add(truePositives, weightedErrors), smooth);
  const index = tf.div(numerator, denominator);
  return (options.includeBackground ?? LOSS_DEFAULTS.includeBackground) ? index : dropBackground(index);
}

/**
 * Applies the marginal loss idea (Shi et al. 2021) for images in which some classes were not
 * annotated, so that their voxels carry the background label. On background-labelled pixels
 * the probabilities of background and of the image's unannotated classes are summed into the
 * background channel and those classes' channels are set to 0; elsewhere `yPred` is unchanged.
 * Any loss of this module then applied to the result does not punish the net for predicting an
 * unannotated class on pixels labelled background.
 *
 * @param unannotated [batch, K] with 1 where the class is unannotated in that image, else 0.
 *   Background (column 0) must be 0.
 * @returns adjusted probabilities, [batch, height, width, K]; each pixel still sums to 1.
 */
export function marginalizeUnannotated(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, unannotated: tf.Tensor2D): tf.Tensor4D {
  const [batch, , , classes] = yPred.shape;
  checkClassCount(yTrue, classes, "marginalizeUnannotated: yTrue");
  if (unannotated.shape[0] !== batch || unannotated.shape[1] !== classes) {
    throw new Error(
      `marginalizeUnannotated: unannotated mask has shape [${unannotated.shape}], expected [${batch}, ${classes}]`,
    );
  }

  const isBackground = tf.slice(yTrue, [0, 0, 0, 0], [-1, -1, -1, 1]);
  const perImage = tf.reshape(unannotated, [batch, 1, 1, classes]);
  const moved = tf.mul(tf.mul(yPred, perImage), isBackground);
  const movedSum = tf.sum(moved, -1, true);
  const backgroundOnly = tf.oneHot(tf.tensor1d([0], "int32"), classes).reshape([1, 1, 1, classes]);
  return tf.add(tf.sub(yPred, moved), tf.mul(movedSum, backgroundOnly)) as tf.Tensor4D;
}

/** Settings for `makeLoss`, one field per loss option. */
export interface LossSettings {
  /** Per-class weights for `weighted_ce`, length K. */
  classWeights?: number[];
  overlap?: OverlapOptions;
  focalGamma?: number;
  tverskyAlpha?: number;
  tverskyBeta?: number;
  focalTverskyGamma?: number;
}

export type LossFunction = (yTrue: tf.Tensor4D, yPred: tf.Tensor4D) => tf.Scalar;

/** Returns the loss function for a name of `LOSS_NAMES` with its settings bound. */
export function makeLoss(name: LossName, settings: LossSettings = {}): LossFunction {
  const overlap = settings.overlap ?? {};
  const tversky = { ...overlap, alpha: settings.tverskyAlpha, beta: settings.tverskyBeta };
  switch (name) {
    case "ce":
      return crossEntropy;
    case "weighted_ce": {
      const weights = settings.classWeights;
      if (!weights) throw new Error("makeLoss: weighted_ce needs classWeights, one weight per class");
      return (yTrue, yPred) => weightedCrossEntropy(yTrue, yPred, weights);
    }
    case "dice":
      return (yTrue, yPred) => softDiceLoss(yTrue, yPred, overlap);
    case "dice_ce":
      return (yTrue, yPred) => diceCrossEntropy(yTrue, yPred, overlap);
    case "focal":
      return (yTrue, yPred) => focalLoss(yTrue, yPred, settings.focalGamma);
    case "tversky":
      return (yTrue, yPred) => tverskyLoss(yTrue, yPred, tversky);
    case "focal_tversky":
      return (yTrue, yPred) => focalTverskyLoss(yTrue, yPred, { ...tversky, gamma: settings.focalTverskyGamma });
    default:
      throw new Error(`makeLoss: unknown loss '${name as string}'; expected one of ${LOSS_NAMES.join(", ")}`);
  }
}

function pixelCrossEntropy(yTrue: tf.Tensor4D, yPred: tf.Tensor4D): tf.Tensor3D {
  return tf.neg(tf.sum(tf.mul(yTrue, tf.log(clipProbabilities(yPred))), -1)) as tf.Tensor3D;
}

function clipProbabilities(yPred: tf.Tensor): tf.Tensor {
  return tf.clipByValue(yPred, PROBABILITY_EPSILON, 1);
}

function dropBackground(perClass: tf.Tensor): tf.Tensor {
  const classes = perClass.shape[perClass.rank - 1];
  return tf.slice(perClass, perClass.rank === 1 ? [1] : [0, 1], perClass.rank === 1 ? [classes - 1] : [-1, classes - 1]);
}

function checkClassCount(yTrue: tf.Tensor4D, expected: number, what: string): void {
  const classes = yTrue.shape[3];
  if (classes !== expected) {
    throw new Error(`${what} has ${expected} classes but the targets have ${classes}`);
  }
}
