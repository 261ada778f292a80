"Train a tabular model on ADULT_SAMPLE, written the way fastai's examples are (and, like them, with no seed)."
from fastai.tabular.all import *

@call_parse
def main(epochs:int=1, # number of epochs
         bs:int=64, # batch size
         lr:float=1e-2, # maximum learning rate of the one-cycle schedule
         runs:int=1, # how many models to train
         show_batch:store_true=False, # look at a batch before training
         lr_find:store_true=False, # run the learning rate finder before training
        ):
    path = untar_data(URLs.ADULT_SAMPLE)
    dls = TabularDataLoaders.from_csv(path/'adult.csv', path=path, y_names='salary',
        cat_names=['workclass', 'education', 'marital-status', 'occupation', 'relationship', 'race'],
        cont_names=['age', 'fnlwgt', 'education-num'],
        procs=[Categorify, FillMissing, Normalize], bs=bs)
    for run in range(runs):
        learn = tabular_learner(dls, metrics=accuracy)
        if show_batch: dls.show_batch()
        if lr_find: learn.lr_find()
        learn.fit_one_cycle(epochs, lr)
