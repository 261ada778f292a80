"Train a cat/dog classifier on PETS, written the way fastai's examples are, seeded as fastai's docs advise."
from fastai.vision.all import *

def is_cat(x): return x[0].isupper()

@call_parse
def main(epochs:int=1, # number of epochs
         bs:int=16, # batch size
         size:int=32, # image size in pixels
         pretrained:bool_arg=False, # start from ImageNet weights (needs a download)
         show_batch:store_true=False, # look at a batch before training
         lr_find:store_true=False, # run the learning rate finder before training
        ):
    set_seed(42, reproducible=True)
    path = untar_data(URLs.PETS)/'images'
    dls = ImageDataLoaders.from_name_func(path, get_image_files(path).sorted(), valid_pct=0.2, seed=42,
        label_func=is_cat, item_tfms=Resize(size), bs=bs)
    if show_batch: dls.show_batch()
    learn = vision_learner(dls, resnet18, metrics=error_rate, pretrained=pretrained)
    if lr_find: learn.lr_find()
    learn.fine_tune(epochs)
