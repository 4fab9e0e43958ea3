// The curriculum's checklist, each question linked to the preset and view that answers it.

export const LESSONS = [
  {
    question: "What is a gradient, and why does training follow the negative gradient?",
    answer: "Watch the paths cross the contour lines at right angles: the gradient points straight uphill, so every step goes the opposite way. In 3D you can see the runs roll downhill.",
    preset: "lr-too-low",
    view3d: true,
  },
  {
    question: "Can you apply the chain rule to compute ∂L/∂W for a two-layer network?",
    answer: "The Networks page trains a small network with backpropagation written out layer by layer.",
    href: "networks.html",
  },
  {
    question: "Why is mini-batch SGD preferred over full-batch gradient descent?",
    answer: "Compare the exact, smooth full-batch path with the jittery one-sample path and the mini-batch in between.",
    preset: "batch-sizes",
  },
  {
    question: "What is a saddle point, and why does it matter more than local minima in deep learning?",
    answer: "Plain gradient descent stops dead on the saddle; a little gradient noise is enough to roll off it.",
    preset: "saddle",
    view3d: true,
  },
  {
    question: "What makes AdamW different from Adam, and why is it preferred for LLMs?",
    answer: "The same weight_decay value, added to the gradient (Adam) or applied to the weights (AdamW), leads to different answers.",
    preset: "adam-adamw",
  },
  {
    question: "Why are second-order methods not used for large neural networks?",
    answer: "Newton's method is wonderful on a quadratic and blind on a saddle, and its Hessian has n² entries: 10¹⁶ for a 100M-parameter model.",
    preset: "newton-bowl",
    also: "newton-saddle",
  },
];

export function lessonHref(lesson, presetId = lesson.preset) {
  if (lesson.href) return lesson.href;
  return `#preset=${presetId}${lesson.view3d ? "&view=3d" : ""}`;
}
